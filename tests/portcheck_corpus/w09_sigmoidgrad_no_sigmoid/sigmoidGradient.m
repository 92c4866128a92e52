function g = sigmoidGradient(z)
% derivative of the sigmoid
g = z .* (1 - z);
end
