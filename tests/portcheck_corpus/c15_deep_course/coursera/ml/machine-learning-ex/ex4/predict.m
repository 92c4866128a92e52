function p = predict(Theta1, Theta2, X)
% label of each example (nn3's tests)
m = size(X, 1);
h = sigmoid([ones(m, 1) sigmoid([ones(m, 1) X] * Theta1')] * Theta2');
[m_, p] = max(h, [], 2);
end
