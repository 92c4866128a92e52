function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% one column of targets per label (nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);
Y = zeros(m, num_labels);
for k = 1:num_labels
  Y(:, k) = (y == k);
end
X = [ones(m, 1) X];
hid = [ones(m, 1) sigmoid(X * Theta1')];
out = sigmoid(hid * Theta2');
J = sum(sum(-Y .* log(out) - (1 - Y) .* log(1 - out))) / m;
J = J + (lambda / (2 * m)) * (sumsq(Theta1(:, 2:end)(:)) + sumsq(Theta2(:, 2:end)(:)));
err3 = out - Y;
err2 = (err3 * Theta2)(:, 2:end) .* sigmoidGradient(X * Theta1');
Theta1_grad = err2' * X / m + (lambda / m) * [zeros(hidden_layer_size, 1) Theta1(:, 2:end)];
Theta2_grad = err3' * hid / m + (lambda / m) * [zeros(num_labels, 1) Theta2(:, 2:end)];
grad = [Theta1_grad(:); Theta2_grad(:)];
end
