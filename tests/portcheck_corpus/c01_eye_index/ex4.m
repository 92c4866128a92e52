%% Exercise 4 driver (a script: port-check never runs it)
clear ; close all; clc
input_layer_size  = 400;
hidden_layer_size = 25;
num_labels = 10;
load('ex4data1.mat');
fprintf('Loaded %d examples\n', size(X, 1));
