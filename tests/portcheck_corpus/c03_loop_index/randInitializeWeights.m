function W = randInitializeWeights(L_in, L_out)
INIT_EPSILON = 0.12;
W = rand(L_out, 1 + L_in) * (2 * INIT_EPSILON) - INIT_EPSILON;
end
