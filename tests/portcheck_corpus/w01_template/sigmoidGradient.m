function g = sigmoidGradient(z)
g = zeros(size(z));
% ====================== YOUR CODE HERE ======================
% =============================================================
end
