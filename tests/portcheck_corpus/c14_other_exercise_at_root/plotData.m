function plotData(X, y)
% the two classes of exercise 2 (nn3's tests)
figure; hold on;
plot(X(y == 1, 1), X(y == 1, 2), 'k+');
plot(X(y == 0, 1), X(y == 0, 2), 'ko');
hold off;
end
