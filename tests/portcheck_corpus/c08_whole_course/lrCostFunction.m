function [J, grad] = lrCostFunction(theta, X, y, lambda)
% exercise 3: regularised logistic regression, vectorised
[J, grad] = costFunctionReg(theta, X, y, lambda);
end
