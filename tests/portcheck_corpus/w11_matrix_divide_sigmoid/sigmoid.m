function g = sigmoid(z)
% logistic function
g = 1 / (1 + exp(-z));
end
