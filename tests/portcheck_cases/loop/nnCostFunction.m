function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                    num_labels, X, y, lambda)
% Cost and gradient, accumulated one training example at a time.
n1 = hidden_layer_size * (input_layer_size + 1);
W1 = reshape(nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
W2 = reshape(nn_params(n1 + 1:end), num_labels, hidden_layer_size + 1);
m = size(X, 1);
J = 0;
D1 = zeros(size(W1));
D2 = zeros(size(W2));
for t = 1:m
  x = [1; X(t, :)'];
  a = [1; sigmoid(W1 * x)];
  out = sigmoid(W2 * a);
  if num_labels == 1
    target = y(t);
  else
    target = zeros(num_labels, 1);
    target(y(t)) = 1;
  end
  for k = 1:num_labels
    J = J - target(k) * log(out(k)) - (1 - target(k)) * log(1 - out(k));
  end
  e3 = out - target;
  e2 = (W2(:, 2:end)' * e3) .* a(2:end) .* (1 - a(2:end));
  D2 = D2 + e3 * a';
  D1 = D1 + e2 * x';
end
J = J / m;
pen = 0;
for i = 1:size(W1, 1)
  for j = 2:size(W1, 2)
    pen = pen + W1(i, j)^2;
  end
end
for i = 1:size(W2, 1)
  for j = 2:size(W2, 2)
    pen = pen + W2(i, j)^2;
  end
end
J = J + lambda / (2 * m) * pen;
G1 = D1 / m;
G2 = D2 / m;
G1(:, 2:end) = G1(:, 2:end) + lambda / m * W1(:, 2:end);
G2(:, 2:end) = G2(:, 2:end) + lambda / m * W2(:, 2:end);
grad = [G1(:); G2(:)];
end
