function g = sigmoidGradient(z)
%SIGMOIDGRADIENT derivative of the sigmoid at z
g = zeros(size(z));
g = sigmoid(z) .* (1 - sigmoid(z));
end
