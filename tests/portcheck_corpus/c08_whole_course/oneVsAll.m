function all_theta = oneVsAll(X, y, num_labels, lambda)
% exercise 3: one classifier per label (the training itself left out here)
all_theta = zeros(num_labels, size(X, 2) + 1);
end
