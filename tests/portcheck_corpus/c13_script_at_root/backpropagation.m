% backpropagation.m -- my notes: one step of backpropagation by hand on a tiny network
% (a script, not the exercise's function; written for nn3's tests)
clear; close all;
X = [0 0; 0 1; 1 0; 1 1];
y = [0; 1; 1; 0];
W1 = [0.1 0.4 -0.3; -0.2 0.2 0.5];
W2 = [0.05 -0.6 0.7];
a1 = [ones(4, 1) X];
a2 = [ones(4, 1) 1 ./ (1 + exp(-a1 * W1'))];
h = 1 ./ (1 + exp(-a2 * W2'));
d3 = h - y;
d2 = (d3 * W2(:, 2:end)) .* a2(:, 2:end) .* (1 - a2(:, 2:end));
fprintf('gradient of W2: %s\n', mat2str(d3' * a2 / 4, 4));
fprintf('gradient of W1: %s\n', mat2str(d2' * a1 / 4, 4));
