%% Neural network cost with the arguments in my own order (written for nn3's tests)
function [J, gradient] = nnCostFunction(X, y, nn_params, lambda, input_layer_size, hidden_layer_size, num_labels)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(1 + hidden_layer_size * (input_layer_size + 1):end), num_labels, hidden_layer_size + 1);
m = size(X, 1);
Y = double(y == 1:num_labels);
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
a3 = sigmoid(a2 * Theta2');
J = -sum(sum(Y .* log(a3) + (1 - Y) .* log(1 - a3))) / m ...
    + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
d3 = a3 - Y;
d2 = (d3 * Theta2(:, 2:end)) .* sigmoid(z2) .* (1 - sigmoid(z2));
g1 = d2' * a1 / m;  g1(:, 2:end) += lambda / m * Theta1(:, 2:end);
g2 = d3' * a2 / m;  g2(:, 2:end) += lambda / m * Theta2(:, 2:end);
gradient = [g1(:); g2(:)];
end
