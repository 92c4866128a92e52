function J = costFunction(X, y, Theta1, Theta2)
% The source document's signature (no lambda), K outputs handled with one-hot targets.
m = size(X, 1);
H = sigmoid([ones(m, 1) sigmoid([ones(m, 1) X] * Theta1')] * Theta2');
K = size(Theta2, 1);
if K == 1
  Y = y;
else
  Y = double(repmat(y(:), 1, K) == repmat(1:K, m, 1));
end
J = sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H))) / m;
end
