function p = predict(Theta1, Theta2, X)
%PREDICT Label of each row of X
n = height(X);
H = sigmoid([ones(n, 1) sigmoid([ones(n, 1) X] * Theta1')] * Theta2');
[~, p] = max(H, [], 2);
end
