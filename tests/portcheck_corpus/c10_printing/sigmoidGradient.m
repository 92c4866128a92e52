function g = sigmoidGradient(z)
s = sigmoid(z);
fprintf('sigmoidGradient of %d values\n', numel(z));
g = s .* (1 - s);
end
