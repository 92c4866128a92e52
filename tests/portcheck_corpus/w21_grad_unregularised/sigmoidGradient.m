function g = sigmoidGradient(z)
% slope of the logistic function (nn3's tests)
g = sigmoid(z) .* (1 - sigmoid(z));
end
