function s = squaredWeights(W)
%SQUAREDWEIGHTS Sum of the squared weights, bias column left out
s = sum(W(:, 2:end) .^ 2, 'all');
end
