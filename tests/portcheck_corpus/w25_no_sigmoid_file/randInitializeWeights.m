function W = randInitializeWeights(L_in, L_out)
% weights uniform on [-0.12, 0.12] (nn3's tests)
epsilon_init = 0.12;
W = rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init;
end
