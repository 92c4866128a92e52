function W = randInitializeWeights(L_in, L_out)
%RANDINITIALIZEWEIGHTS break the symmetry: uniform weights in [-0.12, 0.12]
epsilon_init = 0.12;
W = rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init;
end
