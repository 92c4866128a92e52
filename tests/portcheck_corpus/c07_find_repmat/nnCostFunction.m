function [J, gradient] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
%% cost with targets built class by class (find + repmat), written for nn3's tests
Theta1 = reshape(nn_params(1: hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params(1 + (hidden_layer_size * (input_layer_size + 1)):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);

Y = zeros(m, num_labels);
E = eye(num_labels);
for c = 1 : num_labels
    rowsOfC = find(y == c);
    Y(rowsOfC, :) = repmat(E(c, :), numel(rowsOfC), 1);
end

X = [ones(m, 1) X];
a2 = [ones(m, 1) sigmoid(X * Theta1')];
a3 = sigmoid(a2 * Theta2');
keep1 = [zeros(size(Theta1, 1), 1) Theta1(:, 2:end)];
keep2 = [zeros(size(Theta2, 1), 1) Theta2(:, 2:end)];
cost = Y .* log(a3) + (1 - Y) .* log(1 - a3);
J = -1 / m * sum(cost(:)) + lambda / (2 * m) * (sum(keep1(:) .^ 2) + sum(keep2(:) .^ 2));

Acc1 = zeros(size(Theta1));
Acc2 = zeros(size(Theta2));
for i = 1:m
    x_i = X(i, :)';
    z_2 = Theta1 * x_i;
    a_2 = [1; sigmoid(z_2)];
    a_3 = sigmoid(Theta2 * a_2);
    d_3 = zeros(num_labels, 1);
    for k = 1:num_labels
        d_3(k) = a_3(k) - (y(i) == k);
    end
    d_2 = Theta2' * d_3;
    d_2 = d_2(2:end) .* sigmoidGradient(z_2);
    Acc2 = Acc2 + d_3 * a_2';
    Acc1 = Acc1 + d_2 * x_i';
end
Theta1_grad = 1 / m * Acc1 + lambda / m * keep1;
Theta2_grad = 1 / m * Acc2 + lambda / m * keep2;
gradient = [Theta1_grad(:) ; Theta2_grad(:)];
end
