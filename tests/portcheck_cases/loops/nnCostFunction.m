function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
% The loop counter is never advanced.
J = 0;
k = 1;
while k <= numel(nn_params)
  J = J + nn_params(k) ^ 2;
end
grad = 2 * nn_params;
end
