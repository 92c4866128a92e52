function p = predict(Theta1, Theta2, X)
m = size(X, 1);
h = sigmoid([ones(m, 1) sigmoid([ones(m, 1) X] * Theta1')] * Theta2');
[~, p] = max(h, [], 2);
end
