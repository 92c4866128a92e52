function [J, grad] = studentNnCost(params, nIn, nHid, nOut, X, y, lambda)
% studentNnCost  cost and gradient of a 3-layer sigmoid net, written the way
% a typical vectorised homework solution is: one-hot Y, [ones X] bias
% columns, one forward pass, backprop with matrix products.
% Benchmark code for nn3 (issue 16); not a copy of any course file.

  W1 = reshape(params(1:nHid * (nIn + 1)), nHid, nIn + 1);
  W2 = reshape(params(nHid * (nIn + 1) + 1:end), nOut, nHid + 1);
  m = rows(X);

  % targets as a one-hot matrix, one row per example
  I = eye(nOut);
  Y = I(y, :);

  % forward pass with the bias columns concatenated
  A1 = [ones(m, 1) X];
  Z2 = A1 * W1';
  A2 = [ones(m, 1) 1 ./ (1 + exp(-Z2))];
  H = 1 ./ (1 + exp(-(A2 * W2')));

  % cross-entropy plus the L2 penalty (bias columns excluded)
  J = sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H))) / m;
  J = J + lambda / (2 * m) * (sum(sum(W1(:, 2:end) .^ 2)) + sum(sum(W2(:, 2:end) .^ 2)));

  % backpropagation
  D3 = H - Y;
  G2 = A2(:, 2:end);
  D2 = (D3 * W2(:, 2:end)) .* G2 .* (1 - G2);
  W1g = D2' * A1 / m;
  W2g = D3' * A2 / m;
  W1g(:, 2:end) += lambda / m * W1(:, 2:end);
  W2g(:, 2:end) += lambda / m * W2(:, 2:end);
  grad = [W1g(:); W2g(:)];
end
