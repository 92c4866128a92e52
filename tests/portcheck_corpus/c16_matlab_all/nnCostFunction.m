function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
    num_labels, X, y, lambda)
%NNCOSTFUNCTION Cost and gradient, written for MATLAB R2018b or later (nn3's tests):
%   sum(A, 'all'), sum(A, [1 2]) and height(X) are MATLAB's, not Octave 7's.
split = hidden_layer_size * (input_layer_size + 1);
Theta1 = reshape(nn_params(1:split), hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(split + 1:end), num_labels, hidden_layer_size + 1);
m = height(X);

Y = (y == 1:num_labels);
A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
H = sigmoid(A2 * Theta2');

J = -sum(Y .* log(H) + (1 - Y) .* log(1 - H), 'all') / m ...
    + lambda / (2 * m) * (squaredWeights(Theta1) + sum(Theta2(:, 2:end) .^ 2, [1 2]));

E3 = H - Y;
E2 = (E3 * Theta2(:, 2:end)) .* sigmoidGradient(Z2);
Theta1_grad = (E2' * A1) / m;
Theta2_grad = (E3' * A2) / m;
Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda / m * Theta1(:, 2:end);
Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda / m * Theta2(:, 2:end);
grad = [Theta1_grad(:); Theta2_grad(:)];
end
