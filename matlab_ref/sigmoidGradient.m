function g = sigmoidGradient(z)
%SIGMOIDGRADIENT Derivative of the logistic function, element-wise.
%   g = sigmoidGradient(z) returns s .* (1 - s) with s = sigmoid(z).
%
%   The source document evaluated sigmoid(z) twice; here it is computed
%   once (same values, half the exp calls).

s = sigmoid(z);
g = s .* (1 - s);

end
