function J = costFunction(X, y, Theta1, Theta2, lambda)
% the source document's cost, regularised and for one or K output units (nn3's tests)
m = size(X, 1);
K = size(Theta2, 1);
a1 = [ones(m, 1) X];
a2 = [ones(m, 1) sigmoid(a1 * Theta1')];
h = sigmoid(a2 * Theta2');
if K > 1
  y = double(y == 1:K);
end
J = sum(sum(-y .* log(h) - (1 - y) .* log(1 - h))) / m;
J = J + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
end
