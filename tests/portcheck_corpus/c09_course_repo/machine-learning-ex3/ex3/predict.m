function p = predict(Theta1, Theta2, X)
% exercise 3: the given network's labels
m = size(X, 1);
num_labels = size(Theta2, 1);
p = zeros(size(X, 1), 1);
X = [ones(m, 1) X];
hidden = sigmoid(X * Theta1');
hidden = [ones(m, 1) hidden];
out = sigmoid(hidden * Theta2');
[v, p] = max(out, [], 2);
end
