function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% nn_params read row by row, and the gradient unrolled the same way (nn3's tests)
n1 = hidden_layer_size * (input_layer_size + 1);
Theta1 = reshape(nn_params(1:n1), input_layer_size + 1, hidden_layer_size)';
Theta2 = reshape(nn_params(n1 + 1:end), hidden_layer_size + 1, num_labels)';
m = size(X, 1);
Y = double(y == 1:num_labels);
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
h = sigmoid(a2 * Theta2');
J = sum(sum(-Y .* log(h) - (1 - Y) .* log(1 - h))) / m ...
    + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
d3 = h - Y;
d2 = (d3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);
G1 = d2' * a1 / m + lambda / m * [zeros(hidden_layer_size, 1) Theta1(:, 2:end)];
G2 = d3' * a2 / m + lambda / m * [zeros(num_labels, 1) Theta2(:, 2:end)];
G1 = G1';
G2 = G2';
grad = [G1(:); G2(:)];
end
