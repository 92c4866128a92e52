%% Exercise 2 script (never run by port-check)
data = load('ex2data1.txt');
X = data(:, [1, 2]); y = data(:, 3);
[J, grad] = costFunction(zeros(3, 1), [ones(size(X, 1), 1) X], y);
