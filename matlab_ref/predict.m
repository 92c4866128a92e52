function p = predict(Theta1, Theta2, X)
%PREDICT Class predictions of a trained three-layer network.
%   p = predict(Theta1, Theta2, X) runs the forward pass for the rows of
%   X (m x n) and returns an m x 1 column:
%     - K = size(Theta2, 1) >= 2 output units: the label 1..K of the
%       largest output (first one on ties);
%     - one output unit: double(h >= 0.5), i.e. a 0/1 label.

m = size(X, 1);
h1 = sigmoid([ones(m, 1) X] * Theta1');
h2 = sigmoid([ones(m, 1) h1] * Theta2');

if size(Theta2, 1) == 1
    p = double(h2 >= 0.5);
else
    [~, p] = max(h2, [], 2);
    p = p(:);
end

end
