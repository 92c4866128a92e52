function g = sigmoid(z)
%SIGMOID Logistic function, applied element-wise.
%   g = sigmoid(z) returns 1 ./ (1 + exp(-z)) for a scalar, vector or
%   matrix z. Large negative z gives exp(-z) = Inf and therefore g = 0;
%   NaN stays NaN.
%
%   Mirrors the document's local function sigmoid and ex4's sigmoid.m.

g = 1 ./ (1 + exp(-z));

end
