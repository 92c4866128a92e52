function p = predict(Theta1, Theta2, X)
% PREDICT  index of the largest output unit
m = rows(X);
a2 = sigmoid([ones(m, 1), X] * Theta1');
a3 = sigmoid([ones(m, 1), a2] * Theta2');
[~, p] = max(a3, [], 2);
end
