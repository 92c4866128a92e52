function p = predict(theta, X)
% exercise 2: class 1 where theta' * x >= 0 (nn3's tests)
p = X * theta >= 0;
end
