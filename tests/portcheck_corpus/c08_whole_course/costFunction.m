function [J, grad] = costFunction(theta, X, y)
%COSTFUNCTION logistic regression's cost and gradient (exercise 2), written for nn3's tests
m = length(y);
h = sigmoid(X * theta);
J = (-y' * log(h) - (1 - y)' * log(1 - h)) / m;
grad = X' * (h - y) / m;
end
