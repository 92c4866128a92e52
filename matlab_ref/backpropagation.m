function [Theta1_grad, Theta2_grad, J] = backpropagation(X, y, Theta1, Theta2, lambda)
%BACKPROPAGATION Gradient of costFunction with respect to Theta1, Theta2.
%   [Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2)
%   [Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2, lambda)
%   [Theta1_grad, Theta2_grad, J] = backpropagation(...) also returns the
%   cost, costFunction(X, y, Theta1, Theta2, lambda), from the same
%   forward pass.
%
%   Same arguments and conventions as costFunction (lambda defaults to 0,
%   y is binary for one output unit and labels 1..K otherwise). The
%   results have the shapes of Theta1 and Theta2. Vectorised over all m
%   examples:
%     delta3 = h - Y
%     delta2 = (delta3 * Theta2(:,2:end)) .* sigmoidGradient(z2)
%     Theta1_grad = delta2' * a1 / m,   Theta2_grad = delta3' * a2 / m
%   plus (lambda/m) * Theta with the bias column left out.
%
%   Mirrors the source document's backpropagation. The document
%   multiplied by the whole Theta2 and by sigmoidGradient([ones z2]) before
%   dropping the bias column; dropping it first gives the same numbers
%   with less work.

if nargin < 5 || isempty(lambda)
    lambda = 0;
end

% forward pass (and the cost), shared with costFunction
[J, h, Y, a1, z2, a2] = costFunction(X, y, Theta1, Theta2, lambda);
m = size(X, 1);

% errors, output layer then hidden layer
delta3 = h - Y;
delta2 = (delta3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);

% accumulated gradients
Theta1_grad = delta2' * a1 / m;
Theta2_grad = delta3' * a2 / m;

% L2 penalty, bias columns excluded
if lambda ~= 0
    Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + (lambda / m) * Theta1(:, 2:end);
    Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + (lambda / m) * Theta2(:, 2:end);
end

end
