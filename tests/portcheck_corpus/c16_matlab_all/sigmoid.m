function g = sigmoid(z)
%SIGMOID Logistic function (MATLAB R2018b style; nn3's tests)
g = 1 ./ (1 + exp(-z));
end
