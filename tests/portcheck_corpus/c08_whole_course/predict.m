function p = predict(Theta1, Theta2, X)
% exercise 3's feedforward prediction, also used in exercise 4
m = size(X, 1);
a1 = [ones(m, 1) X];
a2 = [ones(m, 1) sigmoid(a1 * Theta1')];
a3 = sigmoid(a2 * Theta2');
[predict_max, index_max] = max(a3, [], 2);
p = index_max;
end
