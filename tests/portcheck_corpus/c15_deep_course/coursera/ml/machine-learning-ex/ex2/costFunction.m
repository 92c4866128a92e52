function [J, grad] = costFunction(theta, X, y)
% exercise 2: logistic regression's cost, with an inline sigmoid (nn3's tests)
m = length(y);
h = 1 ./ (1 + exp(-(X * theta)));
J = sum(-y .* log(h) - (1 - y) .* log(1 - h)) / m;
grad = ((h - y)' * X)' / m;
end
