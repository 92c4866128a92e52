function g = sigmoid(z)
% Logistic function, element by element.
g = zeros(size(z));
for k = 1:numel(z)
  g(k) = 1 / (1 + exp(-z(k)));
end
end
