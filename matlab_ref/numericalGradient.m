function numgrad = numericalGradient(f, theta, e)
%NUMERICALGRADIENT Central-difference estimate of the gradient of f.
%   numgrad = numericalGradient(f, theta) perturbs each element of the
%   column vector theta by +-e (e = 1e-4) and returns
%   (f(theta + e*u_k) - f(theta - e*u_k)) / (2*e) for every k.
%   f returns the cost as its first output. Same role as ex4's
%   computeNumericalGradient; used to check backpropagation.

if nargin < 3 || isempty(e)
    e = 1e-4;
end

numgrad = zeros(size(theta));
for k = 1:numel(theta)
    tplus = theta;
    tminus = theta;
    tplus(k) = tplus(k) + e;
    tminus(k) = tminus(k) - e;
    numgrad(k) = (f(tplus) - f(tminus)) / (2 * e);
end

end
