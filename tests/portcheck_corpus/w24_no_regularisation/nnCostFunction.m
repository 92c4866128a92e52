function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% parts 1 and 2 without their lambda terms (nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);
Y = zeros(m, num_labels);
for i = 1:m
  Y(i, y(i)) = 1;
end
a1 = [ones(m, 1) X];
a2 = [ones(m, 1) sigmoid(a1 * Theta1')];
a3 = sigmoid(a2 * Theta2');
J = sum(sum(-Y .* log(a3) - (1 - Y) .* log(1 - a3))) / m;
s3 = a3 - Y;
s2 = (s3 * Theta2(:, 2:end)) .* sigmoidGradient(a1 * Theta1');
Theta1_grad = s2' * a1 / m;
Theta2_grad = s3' * a2 / m;
grad = [Theta1_grad(:); Theta2_grad(:)];
end
