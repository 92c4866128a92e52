function W = randInitializeWeights(L_in, L_out)
% normally distributed small weights
W = randn(L_out, 1 + L_in) * 0.12;
end
