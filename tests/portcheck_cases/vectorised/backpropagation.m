function [Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2)
% The source document's signature (no lambda).
m = size(X, 1);
A1 = [ones(m, 1) X];
Z2 = A1 * Theta1';
A2 = [ones(m, 1) sigmoid(Z2)];
H = sigmoid(A2 * Theta2');
K = size(Theta2, 1);
if K == 1
  Y = y;
else
  Y = double(repmat(y(:), 1, K) == repmat(1:K, m, 1));
end
D3 = H - Y;
D2 = (D3 * Theta2(:, 2:end)) .* sigmoidGradient(Z2);
Theta1_grad = D2' * A1 / m;
Theta2_grad = D3' * A2 / m;
end
