function p = predict(theta, X)
% logistic regression: 1 where the probability is at least 0.5 (nn3's tests)
p = double(1 ./ (1 + exp(-X * theta)) >= 0.5);
end
