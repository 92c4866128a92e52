function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
% NNCOSTFUNCTION  vectorised cost and gradient; targets by implicit expansion (nn3's tests)
nh = hidden_layer_size;
ni = input_layer_size;
Theta1 = reshape(nn_params(1:nh * (ni + 1)), nh, ni + 1);
Theta2 = reshape(nn_params(nh * (ni + 1) + 1:end), num_labels, nh + 1);
m = length(y);

Y = (y == 1:num_labels);   % m x K logical, R2016b+ and Octave

a1 = [ones(m, 1), X];
z2 = a1 * Theta1';
a2 = [ones(m, 1), sigmoid(z2)];
h = sigmoid(a2 * Theta2');

unreg = -sum(sum(Y .* log(h) + (1 - Y) .* log(1 - h))) / m;
t1 = Theta1(:, 2:end);
t2 = Theta2(:, 2:end);
J = unreg + lambda / (2 * m) * (t1(:)' * t1(:) + t2(:)' * t2(:));

d3 = h - Y;
d2 = d3 * t2 .* sigmoidGradient(z2);
Theta1_grad = (1 / m) * d2' * a1 + (lambda / m) * [zeros(nh, 1), t1];
Theta2_grad = (1 / m) * d3' * a2 + (lambda / m) * [zeros(num_labels, 1), t2];

grad = [Theta1_grad(:); Theta2_grad(:)];
end
