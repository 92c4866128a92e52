function g = sigmoidGradient(z)
%SIGMOIDGRADIENT Gradient of the logistic function
sz = sigmoid(z);
g = sz .* (1 - sz);
end
