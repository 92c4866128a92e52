function S = costCase(S, Theta1, Theta2, X, y, lambdas)
%COSTCASE Cost, gradients and predictions of one network, into a struct.
%   S = costCase(S, Theta1, Theta2, X, y, lambdas) adds to S:
%     Theta1, Theta2, nn_params = [Theta1(:); Theta2(:)],
%     input_layer_size, hidden_layer_size, num_labels, m, lambdas,
%     and for every lambda L (named with sprintf('%g', L)):
%       J_lambdaL            costFunction(X, y, Theta1, Theta2, L)
%       grad_lambdaL         unrolled gradient (as nnCostFunction)
%       Theta1_grad_lambdaL, Theta2_grad_lambdaL
%     pred (predict(Theta1, Theta2, X)) and train_accuracy (percent).
%   It errors if nnCostFunction disagrees with costFunction /
%   backpropagation in any bit.

input_layer_size = size(Theta1, 2) - 1;
hidden_layer_size = size(Theta1, 1);
num_labels = size(Theta2, 1);
nn_params = [Theta1(:); Theta2(:)];

S.input_layer_size = input_layer_size;
S.hidden_layer_size = hidden_layer_size;
S.num_labels = num_labels;
S.m = size(X, 1);
S.Theta1 = Theta1;
S.Theta2 = Theta2;
S.nn_params = nn_params;
S.lambdas = lambdas(:)';

for k = 1:numel(lambdas)
    L = lambdas(k);
    tag = sprintf('lambda%g', L);
    J = costFunction(X, y, Theta1, Theta2, L);
    [T1g, T2g] = backpropagation(X, y, Theta1, Theta2, L);
    grad = [T1g(:); T2g(:)];
    [J2, grad2] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                 num_labels, X, y, L);
    if ~isequal(J, J2) || ~isequal(grad, grad2)
        error('costCase:mismatch', 'nnCostFunction disagrees with costFunction/backpropagation (%s)', tag);
    end
    S.(['J_' tag]) = J;
    S.(['grad_' tag]) = grad;
    S.(['Theta1_grad_' tag]) = T1g;
    S.(['Theta2_grad_' tag]) = T2g;
end

S.pred = predict(Theta1, Theta2, X);
S.train_accuracy = mean(double(S.pred == y(:))) * 100;

end
