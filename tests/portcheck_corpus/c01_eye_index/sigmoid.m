function g = sigmoid(z)
%SIGMOID logistic function, element by element
g = 1.0 ./ (1.0 + exp(-z));
end
