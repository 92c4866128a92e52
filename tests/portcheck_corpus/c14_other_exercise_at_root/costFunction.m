function [J, grad] = costFunction(theta, X, y)
% logistic regression's cost and gradient, kept at the top of the repository (nn3's tests)
m = numel(y);
h = 1 ./ (1 + exp(-X * theta));
J = -(y' * log(h) + (1 - y)' * log(1 - h)) / m;
grad = X' * (h - y) / m;
end
