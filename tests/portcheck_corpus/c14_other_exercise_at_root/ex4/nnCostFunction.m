function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% NNCOSTFUNCTION  targets by comparing repmat'ed labels; vectorised (nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
                 hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(1 + hidden_layer_size * (input_layer_size + 1):end), ...
                 num_labels, hidden_layer_size + 1);
m = rows(X);
labels = repmat(1:num_labels, m, 1);
Y = double(labels == repmat(y, 1, num_labels));

a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
a3 = sigmoid(a2 * Theta2');

cost = Y .* log(a3) + (1 - Y) .* log(1 - a3);
J = -sum(cost(:)) / m;
w1 = Theta1(:, 2:end);
w2 = Theta2(:, 2:end);
J = J + lambda * (sum(w1(:) .^ 2) + sum(w2(:) .^ 2)) / (2 * m);

delta3 = a3 - Y;
delta2 = (delta3 * w2) .* sigmoidGradient(z2);
Theta1_grad = (delta2' * a1) / m;
Theta2_grad = (delta3' * a2) / m;
Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda * w1 / m;
Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda * w2 / m;
grad = [Theta1_grad(:); Theta2_grad(:)];
end
