function W = randInitializeWeights(L_in, L_out)
% Small random weights in [-0.12, 0.12).
W = zeros(L_out, 1 + L_in);
for i = 1:L_out
  for j = 1:1 + L_in
    W(i, j) = (2 * rand() - 1) * 0.12;
  end
end
end
