function [J, h, Y, a1, z2, a2] = costFunction(X, y, Theta1, Theta2, lambda)
%COSTFUNCTION Cross-entropy cost of a three-layer sigmoid network.
%   J = costFunction(X, y, Theta1, Theta2) is the unregularised cost,
%   J = costFunction(X, y, Theta1, Theta2, lambda) adds the L2 penalty
%       lambda / (2*m) * (sum of squares of Theta1(:,2:end) and
%       Theta2(:,2:end))
%   (bias columns are not regularised).
%
%   [J, h, Y, a1, z2, a2] = costFunction(...) also returns the forward
%   pass: the outputs h (m x K), the targets Y (m x K), and
%   a1 = [ones(m, 1) X], z2 = a1 * Theta1', a2 = [ones(m, 1) sigmoid(z2)],
%   which backpropagation reuses instead of computing them again.
%
%   X       m x n inputs, one example per row
%   Theta1  hid x (n + 1)   input -> hidden weights, column 1 = bias
%   Theta2  K x (hid + 1)   hidden -> output weights, column 1 = bias
%   y       m x 1 targets:
%             K == 1: binary targets in {0, 1}, used as they are;
%             K >= 2: labels 1..K, one-hot encoded here.
%
%   Mirrors the source document's costFunction (2-4-1 example) and ex4's
%   nnCostFunction cost part; the document had no lambda and summed only
%   once, which is wrong for K >= 2 outputs.

if nargin < 5 || isempty(lambda)
    lambda = 0;
end

m = size(X, 1);
K = size(Theta2, 1);

% forward pass
a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
h = sigmoid(a2 * Theta2');

% targets as an m x K matrix
if K == 1
    Y = y(:);
else
    Y = double(bsxfun(@eq, y(:), 1:K));
end

J = sum(sum(-Y .* log(h) - (1 - Y) .* log(1 - h))) / m;

% L2 penalty, bias columns excluded. Each matrix is summed as one
% column-major vector, sum(W(:) .^ 2), not as sum(sum(W .^ 2)): the two
% round differently, and this order reproduces the genuine-fmincg
% reference run in shared/reference bit for bit.
if lambda ~= 0
    W1 = Theta1(:, 2:end);
    W2 = Theta2(:, 2:end);
    penalty = sum(W1(:) .^ 2) + sum(W2(:) .^ 2);
    J = J + lambda / (2 * m) * penalty;
end

end
