function g = sigmoidGradient(z)
% the derivative written out: e^-z / (1 + e^-z)^2
g = exp(-z) ./ ((1 + exp(-z)) .^ 2);
end
