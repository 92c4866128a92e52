function J = costFunction(X, y, Theta1, Theta2)
% the source document's cost, as a student ported it: one output unit, y used as it is
m = size(X, 1);
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
h = sigmoid(a2 * Theta2');
J = sum(-y .* log(h) - (1 - y) .* log(1 - h)) / m;
end
