function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
    num_labels, X, y, lambda)
% Fonction de coût du réseau à deux couches (écrite pour les tests de nn3)
% Rétropropagation exemple par exemple ; les étiquettes vont de 1 à K.
Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
                 hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
                 num_labels, (hidden_layer_size + 1));
m = size(X, 1);
J = 0;
Theta1_grad = zeros(size(Theta1));
Theta2_grad = zeros(size(Theta2));

for t = 1:m
    % vecteur cible « yy » : un 1 à la position de l'étiquette
    yy = zeros(num_labels, 1);
    yy(y(t)) = 1;

    a1 = [1; X(t, :)'];
    z2 = Theta1 * a1;
    a2 = [1; sigmoid(z2)];
    a3 = sigmoid(Theta2 * a2);

    J = J + sum(-yy .* log(a3) - (1 - yy) .* log(1 - a3));

    d3 = a3 - yy;
    d2 = Theta2(:, 2:end)' * d3 .* sigmoidGradient(z2);
    Theta2_grad = Theta2_grad + d3 * a2';
    Theta1_grad = Theta1_grad + d2 * a1';
end

J = J / m + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));

% régularisation : pas de pénalité sur la colonne du biais
Theta1_grad = Theta1_grad / m + lambda / m * [zeros(size(Theta1, 1), 1) Theta1(:, 2:end)];
Theta2_grad = Theta2_grad / m + lambda / m * [zeros(size(Theta2, 1), 1) Theta2(:, 2:end)];

grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
