function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% correct, but two lines lack their semicolon (written for nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1)
I = eye(num_labels);
Y = I(y, :);
A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
H = sigmoid(A2 * Theta2');
J = sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H))) / m;
J = J + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)))
D3 = H - Y;
D2 = (D3 * Theta2(:, 2:end)) .* sigmoidGradient(Z2);
Theta1_grad = D2' * A1 / m + lambda / m * [zeros(size(Theta1, 1), 1) Theta1(:, 2:end)];
Theta2_grad = D3' * A2 / m + lambda / m * [zeros(size(Theta2, 1), 1) Theta2(:, 2:end)];
grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
