function W = randInitializeWeights(L_in, L_out)
W = rand(L_out, 1 + L_in) * 2 - 1;
end
