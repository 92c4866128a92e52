function [dummy, p] = predict(Theta1, Theta2, X)
% outputs declared in the order max returns them (nn3's tests)
m = size(X, 1);
h1 = sigmoid([ones(m, 1) X] * Theta1');
h2 = sigmoid([ones(m, 1) h1] * Theta2');
[dummy, p] = max(h2, [], 2);
end
