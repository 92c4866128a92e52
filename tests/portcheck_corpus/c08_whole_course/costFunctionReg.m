function [J, grad] = costFunctionReg(theta, X, y, lambda)
m = length(y);
[J, grad] = costFunction(theta, X, y);
J = J + lambda / (2 * m) * sum(theta(2:end) .^ 2);
grad(2:end) = grad(2:end) + lambda / m * theta(2:end);
end
