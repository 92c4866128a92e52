function [J, grad] = costFunctionReg(theta, X, y, lambda)
% exercise 2, regularised (nn3's tests)
[J, grad] = costFunction(theta, X, y);
m = length(y);
J = J + lambda / (2 * m) * sum(theta(2:end) .^ 2);
grad(2:end) = grad(2:end) + lambda / m * theta(2:end);
end
