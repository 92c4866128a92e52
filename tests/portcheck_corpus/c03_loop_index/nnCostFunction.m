function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
% Cost and gradient with explicit loops over examples and labels (written for nn3's tests)

Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), num_labels, (hidden_layer_size + 1));
m = size(X, 1);

% one-hot targets, one row at a time
Y = zeros(m, num_labels);
for i = 1:m
    Y(i, y(i)) = 1;
end

J = 0;
for i = 1:m
    a1 = [1 X(i, :)];
    a2 = [1 sigmoid(a1 * Theta1')];
    h = sigmoid(a2 * Theta2');
    for k = 1:num_labels
        J = J + (-Y(i, k) * log(h(k)) - (1 - Y(i, k)) * log(1 - h(k)));
    end
end
J = J / m;

reg = 0;
for j = 1:size(Theta1, 1)
    for k = 2:size(Theta1, 2)
        reg = reg + Theta1(j, k) ^ 2;
    end
end
for j = 1:size(Theta2, 1)
    for k = 2:size(Theta2, 2)
        reg = reg + Theta2(j, k) ^ 2;
    end
end
J = J + (lambda / (2 * m)) * reg;

Delta_1 = zeros(size(Theta1));
Delta_2 = zeros(size(Theta2));
for t = 1:m
    a_1 = [1; X(t, :)'];
    z_2 = Theta1 * a_1;
    a_2 = [1; sigmoid(z_2)];
    a_3 = sigmoid(Theta2 * a_2);
    delta_3 = zeros(num_labels, 1);
    for k = 1:num_labels
        delta_3(k) = a_3(k) - (y(t) == k);
    end
    delta_2 = Theta2' * delta_3;
    delta_2 = delta_2(2:end) .* sigmoidGradient(z_2);
    Delta_2 = Delta_2 + delta_3 * a_2';
    Delta_1 = Delta_1 + delta_2 * a_1';
end

Theta1_grad = Delta_1 / m;
Theta2_grad = Delta_2 / m;
for j = 1:size(Theta1, 1)
    for k = 2:size(Theta1, 2)
        Theta1_grad(j, k) = Theta1_grad(j, k) + lambda / m * Theta1(j, k);
    end
end
for j = 1:size(Theta2, 1)
    for k = 2:size(Theta2, 2)
        Theta2_grad(j, k) = Theta2_grad(j, k) + lambda / m * Theta2(j, k);
    end
end

grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
