function g = sigmoidGradient(z)
% SIGMOIDGRADIENT  d/dz sigmoid(z) = sigmoid(z) (1 - sigmoid(z))
g = sigmoid(z) .* (1 - sigmoid(z));
end
