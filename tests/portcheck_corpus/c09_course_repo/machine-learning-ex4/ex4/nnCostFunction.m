function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% exercise 4 in the course repository (written for nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);
yd = eye(num_labels);
y = yd(y, :);
a1 = [ones(size(X, 1), 1) X];
z2 = a1 * Theta1';
a2 = [ones(size(z2, 1), 1) sigmoid(z2)];
a3 = sigmoid(a2 * Theta2');
J = sum(sum(-y .* log(a3) - (1 - y) .* log(1 - a3))) / m;
J = J + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
delta3 = a3 - y;
delta2 = delta3 * Theta2(:, 2:end) .* sigmoidGradient(z2);
Theta1_grad = delta2' * a1 / m;
Theta2_grad = delta3' * a2 / m;
Theta1_grad(:, 2:end) += lambda / m * Theta1(:, 2:end);
Theta2_grad(:, 2:end) += lambda / m * Theta2(:, 2:end);
grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
