function g = sigmoid(z)
%SIGMOID the logistic function of every element of z
g = 1 ./ (1 + exp(-z));
end
