function [S, Theta1, Theta2] = trainCase(S, optfun, Theta1, Theta2, X, y, lambda, maxIter)
%TRAINCASE Train one network with the optimiser, into a struct.
%   [S, Theta1, Theta2] = trainCase(S, optfun, Theta1, Theta2, X, y, ...
%       lambda, maxIter)
%   minimises nnCostFunction on X, y from the weights Theta1, Theta2 with
%   optfun (cgmin or fmincg, MaxIter = maxIter) and adds to S:
%     input_layer_size, hidden_layer_size, num_labels, lambda, max_iter,
%     initial_params = [Theta1(:); Theta2(:)],
%     final_params, fX, i, n_evals (as runOptimizer returns them),
%     J_final (the cost at final_params), pred (predict on X) and
%     train_accuracy (percent).
%   Theta1 and Theta2 are returned trained (final_params rolled up).

input_layer_size = size(Theta1, 2) - 1;
hidden_layer_size = size(Theta1, 1);
num_labels = size(Theta2, 1);

S.input_layer_size = input_layer_size;
S.hidden_layer_size = hidden_layer_size;
S.num_labels = num_labels;
S.lambda = lambda;
S.max_iter = maxIter;
S.initial_params = [Theta1(:); Theta2(:)];
cost = @(p) nnCostFunction(p, input_layer_size, hidden_layer_size, num_labels, X, y, lambda);
[S.final_params, S.fX, S.i, S.n_evals] = runOptimizer(optfun, cost, S.initial_params, maxIter);
S.J_final = cost(S.final_params);

n1 = numel(Theta1);
Theta1 = reshape(S.final_params(1:n1), size(Theta1));
Theta2 = reshape(S.final_params(n1 + 1:end), size(Theta2));
S.pred = predict(Theta1, Theta2, X);
S.train_accuracy = mean(double(S.pred == y(:))) * 100;

end
