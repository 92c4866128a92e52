function [J grad] = nnCostFunction(nn_params, ...
                                   input_layer_size, ...
                                   hidden_layer_size, ...
                                   num_labels, ...
                                   X, y, lambda)
% bsxfun for the targets (MATLAB before R2016b); written for nn3's tests
split = hidden_layer_size * (input_layer_size + 1);
Theta1 = reshape(nn_params(1:split), hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(split + 1:end), num_labels, hidden_layer_size + 1);
m = size(X, 1);

Y = double(bsxfun(@eq, y(:), 1:num_labels));

A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
A3 = sigmoid(A2 * Theta2');

costs = -Y .* log(A3) - (1 - Y) .* log(1 - A3);
J = sum(costs(:)) / m;
R1 = Theta1;  R1(:, 1) = 0;
R2 = Theta2;  R2(:, 1) = 0;
J = J + lambda * (sum(R1(:) .^ 2) + sum(R2(:) .^ 2)) / (2 * m);

D3 = A3 - Y;
D2 = (D3 * Theta2) .* [ones(m, 1) sigmoidGradient(Z2)];
D2 = D2(:, 2:end);

Theta1_grad = (D2' * A1 + lambda * R1) / m;
Theta2_grad = (D3' * A2 + lambda * R2) / m;
grad = [Theta1_grad(:); Theta2_grad(:)];
end
