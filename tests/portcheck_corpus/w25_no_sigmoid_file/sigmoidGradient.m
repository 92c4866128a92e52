function g = sigmoidGradient(z)
% derivative of the sigmoid; sigmoid.m was not copied into this folder (nn3's tests)
g = sigmoid(z) .* (1 - sigmoid(z));
end
