function g = sigmoid(z)
%SIGMOID used by exercises 2, 3 and 4
g = 1 ./ (1 + exp(-z));
end
