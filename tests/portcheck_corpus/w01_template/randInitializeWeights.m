function W = randInitializeWeights(L_in, L_out)
W = zeros(L_out, 1 + L_in);
% ====================== YOUR CODE HERE ======================
% =========================================================================
end
