function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% part 2 and the gradient's lambda term written; the cost's lambda term forgotten (nn3's tests)
h = hidden_layer_size;
n = input_layer_size;
Theta1 = reshape(nn_params(1:h * (n + 1)), h, n + 1);
Theta2 = reshape(nn_params(h * (n + 1) + 1:end), num_labels, h + 1);
m = size(X, 1);
Y = bsxfun(@eq, y, 1:num_labels);
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
a3 = sigmoid(a2 * Theta2');
J = -sum(sum(Y .* log(a3) + (1 - Y) .* log(1 - a3))) / m;
d3 = a3 - Y;
d2 = (d3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);
Theta1_grad = (d2' * a1) / m + (lambda / m) * [zeros(h, 1) Theta1(:, 2:end)];
Theta2_grad = (d3' * a2) / m + (lambda / m) * [zeros(num_labels, 1) Theta2(:, 2:end)];
grad = [Theta1_grad(:); Theta2_grad(:)];
end
