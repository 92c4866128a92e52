function p = predict(Theta1, Theta2, X)
% index of the largest output (sigmoid.m missing from the folder; nn3's tests)
m = size(X, 1);
h2 = sigmoid([ones(m, 1) sigmoid([ones(m, 1) X] * Theta1')] * Theta2');
[~, p] = max(h2, [], 2);
end
