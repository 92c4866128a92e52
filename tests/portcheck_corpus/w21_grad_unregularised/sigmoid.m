function g = sigmoid(z)
% logistic function (nn3's tests)
g = 1 ./ (1 + exp(-z));
end
