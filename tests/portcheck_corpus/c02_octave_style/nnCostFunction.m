## nnCostFunction.m -- exercise 4, Octave flavoured (written for nn3's tests)
function [J, grad] = nnCostFunction (nn_params, input_layer_size, hidden_layer_size,
                                     num_labels, X, y, lambda)
  n1 = hidden_layer_size * (input_layer_size + 1);
  Theta1 = reshape (nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
  Theta2 = reshape (nn_params(n1+1:end), num_labels, hidden_layer_size + 1);
  m = rows (X);

  Y = eye (num_labels)(y, :);        # Octave indexes a call's result directly

  J = 0;
  Delta1 = zeros (size (Theta1));
  Delta2 = zeros (size (Theta2));
  for t = 1:m
    a1 = [1, X(t, :)]';
    z2 = Theta1 * a1;
    a2 = [1; sigmoid(z2)];
    a3 = sigmoid (Theta2 * a2);
    yt = Y(t, :)';
    J += sum (-yt .* log (a3) - (1 - yt) .* log (1 - a3));
    d3 = a3 - yt;
    d2 = (Theta2(:, 2:end)' * d3) .* sigmoidGradient (z2);
    Delta2 += d3 * a2';
    Delta1 += d2 * a1';
  endfor
  J /= m;

  if (lambda != 0)
    J += lambda / (2 * m) * (sumsq (Theta1(:, 2:end)(:)) + sumsq (Theta2(:, 2:end)(:)));
  endif

  Theta1_grad = Delta1 / m;
  Theta2_grad = Delta2 / m;
  Theta1_grad(:, 2:end) += lambda / m * Theta1(:, 2:end);
  Theta2_grad(:, 2:end) += lambda / m * Theta2(:, 2:end);
  grad = [Theta1_grad(:); Theta2_grad(:)];
endfunction
