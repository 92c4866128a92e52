function g = sigmoidGradient(z)
% Derivative of the logistic function, element by element.
g = zeros(size(z));
for k = 1:numel(z)
  s = 1 / (1 + exp(-z(k)));
  g(k) = s * (1 - s);
end
end
