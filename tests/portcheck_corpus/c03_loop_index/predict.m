function p = predict(Theta1, Theta2, X)
m = size(X, 1);
p = zeros(m, 1);
for i = 1:m
    hidden = sigmoid([1 X(i, :)] * Theta1');
    out = sigmoid([1 hidden] * Theta2');
    [best, p(i)] = max(out);
end
end
