function W = randInitializeWeights(L_in, L_out)
% random weights to break the symmetry
W = rand(L_out, 1 + L_in);
end
