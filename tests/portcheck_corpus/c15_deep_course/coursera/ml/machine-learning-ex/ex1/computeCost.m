function J = computeCost(X, y, theta)
% linear regression's cost (exercise 1; nn3's tests)
r = X * theta - y;
J = r' * r / (2 * length(y));
end
