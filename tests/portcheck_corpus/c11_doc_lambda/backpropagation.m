function [Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2, lambda)
m = size(X, 1);
K = size(Theta2, 1);
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
h = sigmoid(a2 * Theta2');
if K > 1
  y = double(y == 1:K);
end
delta3 = h - y;
delta2 = delta3 * Theta2 .* sigmoidGradient([ones(m, 1) z2]);
delta2 = delta2(:, 2:end);
Theta1_grad = delta2' * a1 / m;
Theta2_grad = delta3' * a2 / m;
Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda / m * Theta1(:, 2:end);
Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda / m * Theta2(:, 2:end);
end
