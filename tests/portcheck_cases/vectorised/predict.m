function p = predict(Theta1, Theta2, X)
m = size(X, 1);
H = sigmoid([ones(m, 1) sigmoid([ones(m, 1) X] * Theta1')] * Theta2');
if size(H, 2) == 1
  p = double(H >= 0.5);
else
  [~, p] = max(H, [], 2);
end
end
