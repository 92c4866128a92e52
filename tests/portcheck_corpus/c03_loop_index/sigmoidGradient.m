function g = sigmoidGradient(z)
g = zeros(size(z));
for i = 1:numel(z)
    s = sigmoid(z(i));
    g(i) = s * (1 - s);
end
end
