function [J, grad] = lrCostFunction(theta, X, y, lambda)
m = length(y);
h = sigmoid(X * theta);
t = [0; theta(2:end)];
J = sum(-y .* log(h) - (1 - y) .* log(1 - h)) / m + lambda / (2 * m) * (t' * t);
grad = (X' * (h - y) + lambda * t) / m;
end
