function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                   num_labels, X, y, lambda)
% cost and gradient of the 3-layer network, one example at a time (nn3's tests)
n1 = hidden_layer_size * (input_layer_size + 1);
Theta1 = reshape(nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(n1 + 1:end), num_labels, hidden_layer_size + 1);
m = size(X, 1);
J = 0;
D1 = zeros(size(Theta1));
D2 = zeros(size(Theta2));
for t = 1:m
  target = zeros(num_labels, 1);
  target(y(t)) = 1;
  a1 = [1; X(t, :)'];
  z2 = Theta1 * a1;
  a2 = [1; sigmoid(z2)];
  a3 = sigmoid(Theta2 * a2);
  J = J - sum(target .* log(a3) + (1 - target) .* log(1 - a3));
  e3 = a3 - target;
  e2 = (Theta2(:, 2:end)' * e3) .* sigmoidGradient(z2);
  D2 = D2 + e3 * a2';
  D1 = D1 + e2 * a1';
end
J = J / m + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
Theta1_grad = D1 / m;
Theta2_grad = D2 / m;
Theta1_grad(:, 2:end) += lambda / m * Theta1(:, 2:end);
Theta2_grad(:, 2:end) += lambda / m * Theta2(:, 2:end);
grad = [Theta1_grad(:); Theta2_grad(:)];
end
