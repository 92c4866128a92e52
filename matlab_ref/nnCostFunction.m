function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
%NNCOSTFUNCTION Cost and gradient of a three-layer network, unrolled.
%   [J, grad] = nnCostFunction(nn_params, input_layer_size, ...
%       hidden_layer_size, num_labels, X, y, lambda)
%
%   nn_params is [Theta1(:); Theta2(:)] (column-major) with
%     Theta1: hidden_layer_size x (input_layer_size + 1)
%     Theta2: num_labels        x (hidden_layer_size + 1)
%   grad is unrolled the same way. lambda is optional (default 0).
%
%   This is the objective an fmincg-style optimiser needs: it returns
%   both J and the gradient. The source document passed a function that
%   returned only J, which fmincg cannot use.

if nargin < 7 || isempty(lambda)
    lambda = 0;
end

n1 = hidden_layer_size * (input_layer_size + 1);
Theta1 = reshape(nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
Theta2 = reshape(nn_params(n1 + 1:end), num_labels, hidden_layer_size + 1);

if nargout > 1
    % one forward pass for both the cost and the gradient
    [Theta1_grad, Theta2_grad, J] = backpropagation(X, y, Theta1, Theta2, lambda);
    grad = [Theta1_grad(:); Theta2_grad(:)];
else
    J = costFunction(X, y, Theta1, Theta2, lambda);
end

end
