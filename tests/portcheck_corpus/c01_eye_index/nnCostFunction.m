function [J grad] = nnCostFunction(nn_params, ...
                                   input_layer_size, ...
                                   hidden_layer_size, ...
                                   num_labels, ...
                                   X, y, lambda)
%NNCOSTFUNCTION cost and gradient of a two layer network (written for nn3's tests)
%   Unrolled parameters come in, cost J and unrolled gradient go out.

Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
                 hidden_layer_size, (input_layer_size + 1));

Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
                 num_labels, (hidden_layer_size + 1));

m = size(X, 1);

J = 0;
Theta1_grad = zeros(size(Theta1));
Theta2_grad = zeros(size(Theta2));

% ====================== YOUR CODE HERE ======================
% targets: row i of the identity for label i
I = eye(num_labels);
Y = I(y, :);

% forward pass
A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
Z3 = A2 * Theta2';
H = sigmoid(Z3);

% cost, then the penalty without the bias columns
J = (1 / m) * sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H)));
penalty = sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2));
J = J + lambda / (2 * m) * penalty;

% backpropagation, all examples at once
S3 = H - Y;
S2 = (S3 * Theta2(:, 2:end)) .* sigmoidGradient(Z2);
Delta1 = S2' * A1;
Delta2 = S3' * A2;

Theta1_grad = Delta1 / m;
Theta2_grad = Delta2 / m;
Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + (lambda / m) * Theta1(:, 2:end);
Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + (lambda / m) * Theta2(:, 2:end);
% =========================================================================

grad = [Theta1_grad(:) ; Theta2_grad(:)];

end
