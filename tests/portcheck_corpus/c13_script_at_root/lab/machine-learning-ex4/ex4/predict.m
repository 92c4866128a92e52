function p = predict(Theta1, Theta2, X)
%PREDICT the most likely label of each example
m = size(X, 1);
hidden = sigmoid([ones(m, 1) X] * Theta1');
out = sigmoid([ones(m, 1) hidden] * Theta2');
[~, p] = max(out, [], 2);
end
