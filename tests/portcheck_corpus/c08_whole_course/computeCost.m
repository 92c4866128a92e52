function J = computeCost(X, y, theta)
% linear regression's squared error (exercise 1)
m = length(y);
J = sum((X * theta - y) .^ 2) / (2 * m);
end
