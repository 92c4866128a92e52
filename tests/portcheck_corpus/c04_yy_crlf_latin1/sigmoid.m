function g = sigmoid(z)
% fonction logistique (élément par élément)
g = 1 ./ (1 + exp(-z));
end
