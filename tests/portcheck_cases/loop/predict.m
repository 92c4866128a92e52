function p = predict(Theta1, Theta2, X)
% Label of each example: index of the largest output (0/1 for one output unit).
m = size(X, 1);
p = zeros(m, 1);
for t = 1:m
  a = [1; sigmoid(Theta1 * [1; X(t, :)'])];
  out = sigmoid(Theta2 * a);
  if numel(out) == 1
    p(t) = out >= 0.5;
  else
    best = 1;
    for k = 2:numel(out)
      if out(k) > out(best)
        best = k;
      end
    end
    p(t) = best;
  end
end
end
