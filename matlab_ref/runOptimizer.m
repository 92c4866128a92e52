function [x, fX, i, n_evals] = runOptimizer(optfun, f, x0, max_iter)
%RUNOPTIMIZER Run cgmin (or fmincg) and count the objective evaluations.
%   [x, fX, i, n_evals] = runOptimizer(optfun, f, x0, max_iter) calls
%   [x, fX, i] = optfun(f, x0, struct('MaxIter', max_iter)) with f wrapped
%   in countedCost, and returns n_evals, the number of [J, grad]
%   evaluations the optimiser made. Progress output is switched off
%   (cgmin honours Display = 'off'; the genuine fmincg ignores it).

global NN3_EVAL_COUNT
NN3_EVAL_COUNT = 0;
options = struct('MaxIter', max_iter, 'Display', 'off');
[x, fX, i] = optfun(@(p) countedCost(f, p), x0, options);
n_evals = NN3_EVAL_COUNT;

end
