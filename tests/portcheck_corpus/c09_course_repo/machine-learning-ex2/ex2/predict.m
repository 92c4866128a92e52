function p = predict(theta, X)
% 1 where the logistic model says at least one half
p = sigmoid(X * theta) >= 0.5;
end
