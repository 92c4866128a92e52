function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
% Cost and gradient of the three-layer network, whole matrices at once.
n1 = hidden_layer_size * (input_layer_size + 1);
T1 = reshape(nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
T2 = reshape(nn_params(n1 + 1:end), num_labels, hidden_layer_size + 1);
m = rows(X);
A1 = [ones(m, 1), X];
Z2 = A1 * T1';
A2 = [ones(m, 1), sigmoid(Z2)];
H = sigmoid(A2 * T2');
if num_labels == 1
  Y = y;
else
  Y = double(y(:) == 1:num_labels);
end
J = sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H))) / m ...
    + lambda / (2 * m) * (sum(T1(:) .^ 2) + sum(T2(:) .^ 2));
E3 = H - Y;
E2 = (E3 * T2(:, 2:end)) .* sigmoidGradient(Z2);
R1 = T1;
R2 = T2;
grad = [reshape(E2' * A1 / m + lambda / m * R1, [], 1); reshape(E3' * A2 / m + lambda / m * R2, [], 1)];
end
