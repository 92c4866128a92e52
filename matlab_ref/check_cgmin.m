function ok = check_cgmin(refdir, withNetworks)
%CHECK_CGMIN Compare cgmin with reference runs of the genuine fmincg.m.
%   ok = check_cgmin(refdir) loads refdir/rosenbrock2_maxiter100.mat,
%   reruns the same problem with cgmin and requires x, fX and i to be
%   identical (isequal, i.e. bit for bit). With withNetworks = true (the
%   default) it also reruns refdir/nn_synthetic_lambda1_maxiter{5,50}.mat
%   (400-25-10 network, lambda 1, synthetic data rebuilt here) through
%   nnCostFunction and compares final_params, fX, iterations and n_evals.
%   Bit-for-bit agreement is only expected on the engine and BLAS that
%   produced the reference files (see their README); elsewhere the
%   maximum relative differences printed are the useful numbers.
%   Takes about 15 s in Octave (the 400-25-10 runs dominate).

if nargin < 2 || isempty(withNetworks)
    withNetworks = true;
end
here = fileparts(mfilename('fullpath'));
addpath(here);
ok = true;
quiet = struct('MaxIter', 100, 'Display', 'off');

r = load(fullfile(refdir, 'rosenbrock2_maxiter100.mat'));
quiet.MaxIter = r.MaxIter;
[x, fX, i] = cgmin(@rosenbrock, r.x0, quiet);
same = isequal(x, r.x) && isequal(fX, r.fX(:)) && isequal(i, r.i);
fprintf('rosenbrock2_maxiter100: x %d, fX %d (%d values), i %d -> %s\n', ...
        isequal(x, r.x), isequal(fX, r.fX(:)), numel(fX), isequal(i, r.i), passFail(same));
ok = ok && same;

if withNetworks
    % synthetic 5000 x 400 data set, exactly as documented with the reference
    ii = (1:5000)';
    jj = 1:400;
    y = mod(ii - 1, 10) + 1;
    c = y;
    flip = mod(ii, 17) == 0;
    c(flip) = mod(y(flip), 10) + 1;
    S = double(bsxfun(@eq, mod(jj, 10), mod(c, 10)));
    N = mod(bsxfun(@plus, 131 * ii, 71 * jj) + 17 * (ii * jj), 401);
    X = (100 * S + N) / 1000;
    for maxIter = [5 50]
        r = load(fullfile(refdir, sprintf('nn_synthetic_lambda1_maxiter%d.mat', maxIter)));
        cost = @(p) nnCostFunction(p, 400, 25, 10, X, y, r.lambda);
        [p, fX, i, nEvals] = runOptimizer(@cgmin, cost, r.initial_params, r.max_iter);
        same = isequal(p, r.final_params) && isequal(fX, r.fX(:)) ...
               && isequal(i, r.iterations) && isequal(nEvals, r.n_evals);
        relP = max(abs(p - r.final_params)) / max(abs(r.final_params));
        relF = max(abs(fX - r.fX(:)) ./ abs(r.fX(:)));
        fprintf(['nn_synthetic_lambda1_maxiter%d: params %d, fX %d, i %d, n_evals %d ', ...
                 '(max rel diff params %.3g, fX %.3g) -> %s\n'], maxIter, ...
                isequal(p, r.final_params), isequal(fX, r.fX(:)), isequal(i, r.iterations), ...
                isequal(nEvals, r.n_evals), relP, relF, passFail(same));
        ok = ok && same;
    end
end

end
