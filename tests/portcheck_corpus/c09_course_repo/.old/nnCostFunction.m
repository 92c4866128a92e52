function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% an abandoned attempt, kept in a hidden folder (skipped by the search)
J = 0;
grad = 0;
end
