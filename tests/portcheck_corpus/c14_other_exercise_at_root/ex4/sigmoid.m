function g = sigmoid(z)
% SIGMOID  g = 1 / (1 + e^-z), element-wise
g = 1.0 ./ (1.0 + exp(-z));
end
