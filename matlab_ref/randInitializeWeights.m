function W = randInitializeWeights(L_in, L_out, epsilon_init)
%RANDINITIALIZEWEIGHTS Uniform random weights for one layer.
%   W = randInitializeWeights(L_in, L_out) returns an L_out x (1 + L_in)
%   matrix (first column = bias weights) drawn uniformly from
%   [-epsilon_init, epsilon_init] with epsilon_init = 0.12.
%
%   W = randInitializeWeights(L_in, L_out, epsilon_init) uses the given
%   half-width. epsilon_init = 1 reproduces the source document's
%   rand(...) * 2 - 1 initialisation.
%
%   Uses the global rand stream: seed it first for reproducible weights.

if nargin < 3 || isempty(epsilon_init)
    epsilon_init = 0.12;
end

W = rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init;

end
