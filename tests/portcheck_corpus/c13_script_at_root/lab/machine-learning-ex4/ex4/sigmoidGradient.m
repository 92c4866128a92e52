function g = sigmoidGradient(z)
%SIGMOIDGRADIENT slope of the sigmoid at every element of z
s = sigmoid(z);
g = s .* (1 - s);
end
