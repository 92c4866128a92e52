function g = sigmoidGradient(z)
% derivative of sigmoid (nn3's tests)
g = sigmoid(z) .* (1 - sigmoid(z));
end
