function [f, g] = rosenbrock(x)
%ROSENBROCK Two-dimensional Rosenbrock function and its gradient.
%   [f, g] = rosenbrock(x) with x = [x1; x2]:
%     f = 100*(x2 - x1^2)^2 + (1 - x1)^2
%     g = [-400*x1*(x2 - x1^2) - 2*(1 - x1); 200*(x2 - x1^2)]
%   Minimum f = 0 at [1; 1]. Test objective for cgmin; written exactly
%   as in shared/reference/README.md so trajectories compare bit for bit.

f = 100 * (x(2) - x(1)^2)^2 + (1 - x(1))^2;
g = [-400 * x(1) * (x(2) - x(1)^2) - 2 * (1 - x(1)); 200 * (x(2) - x(1)^2)];

end
