function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
% A typo: the helper is called sigmod.
J = 0;
grad = sigmod(nn_params);
end
