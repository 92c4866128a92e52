function p = predict(Theta1, Theta2, X)
% largest output's index (nn3's tests)
h1 = sigmoid([ones(size(X, 1), 1) X] * Theta1');
h2 = sigmoid([ones(size(h1, 1), 1) h1] * Theta2');
[~, p] = max(h2, [], 2);
end
