function [X, fX, i] = cgmin(f, X, options, varargin)
%CGMIN Minimise a differentiable function by nonlinear conjugate gradients.
%   [X, fX, i] = cgmin(f, X0, options) minimises f starting at the column
%   vector X0, where [fval, grad] = f(X) (function handle or name) returns
%   the value and the gradient (a column like X). Extra arguments,
%   cgmin(f, X0, options, P1, P2, ...), are passed on as f(X, P1, P2, ...).
%
%   options is a struct such as optimset('MaxIter', 50) or
%   struct('MaxIter', 50):
%     MaxIter > 0   at most MaxIter line searches (default 100);
%     MaxIter < 0   at most -MaxIter function evaluations;
%     MaxIter = [n red]  as above, with red the expected reduction of f
%                   in the first line search (default 1).
%     Display = 'off' (or 'none') suppresses the progress lines.
%
%   Outputs: X the final point, fX a column with f after every successful
%   line search, i the number of line searches (or evaluations) used.
%
%   Drop-in equivalent of fmincg.m (Coursera ML ex4), which is C. E.
%   Rasmussen's "minimize" algorithm: Polack-Ribiere conjugate directions,
%   and a line search that brackets, extrapolates and interpolates with
%   cubic (or quadratic) fits until the strong Wolfe-Powell conditions
%   hold. This is an independent implementation from the published
%   description. Its operations are ordered like the published algorithm
%   so that, in the same engine with the same BLAS, it visits the same
%   points bit for bit.

% line-search constants
RHO = 0.01;    % sufficient decrease (Wolfe-Powell first condition)
SIG = 0.5;     % curvature: |slope| must drop to SIG * initial |slope|
INT = 0.1;     % do not evaluate within INT of the bracket ends
EXT = 3.0;     % extrapolate at most EXT times the current step
MAX = 20;      % evaluations per line search
RATIO = 100;   % largest allowed ratio of successive slopes

% budget and options
budget = 100;
red = 1;
verbose = true;
if nargin >= 3 && isstruct(options)
    if isfield(options, 'MaxIter') && ~isempty(options.MaxIter)
        budget = options.MaxIter;
    end
    if isfield(options, 'Display') && ischar(options.Display)
        verbose = ~any(strcmpi(options.Display, {'off', 'none'}));
    end
end
if numel(budget) == 2
    red = budget(2);
    budget = budget(1);
end
perEval = budget < 0;      % 1 when the budget counts evaluations
perSearch = budget > 0;    % 1 when the budget counts line searches
isOctave = exist('OCTAVE_VERSION', 'builtin') ~= 0;

i = 0;
fX = [];
failedBefore = false;

% starting point: steepest descent, first step red / (1 + |g|^2)
[f1, df1] = feval(f, X, varargin{:});
i = i + perEval;
s = -df1;
d1 = -s' * s;
z1 = red / (1 - d1);

while i < abs(budget)
    i = i + perSearch;

    % remember where this line search starts
    X0 = X;
    f0 = f1;
    df0 = df1;

    % first trial step along s
    X = X + z1 * s;
    [f2, df2] = feval(f, X, varargin{:});
    i = i + perEval;
    d2 = df2' * s;

    % point 3 is the other end of the current bracket (initially: start)
    f3 = f1;
    d3 = d1;
    z3 = -z1;
    if perEval
        evalsLeft = min(MAX, -budget - i);
    else
        evalsLeft = MAX;
    end
    success = false;
    limit = -1;             % no upper bound on the step known yet

    while true
        % shrink the step while the Wolfe-Powell conditions fail
        while ((f2 > f1 + z1 * RHO * d1) || (d2 > -SIG * d1)) && (evalsLeft > 0)
            limit = z1;
            if f2 > f1
                % quadratic fit through f1 (value, slope) and f2
                z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3);
            else
                % cubic fit through points 2 and 3
                A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3);
                B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
                z2 = (sqrt(B * B - A * d2 * z3 * z3) - B) / A;
            end
            if isnan(z2) || isinf(z2)
                z2 = z3 / 2;    % fit failed: bisect
            end
            % keep away from the ends of the bracket
            z2 = max(min(z2, INT * z3), (1 - INT) * z3);
            z1 = z1 + z2;
            X = X + z2 * s;
            [f2, df2] = feval(f, X, varargin{:});
            evalsLeft = evalsLeft - 1;
            i = i + perEval;
            d2 = df2' * s;
            z3 = z3 - z2;       % z3 is now relative to the new point
        end

        if (f2 > f1 + z1 * RHO * d1) || (d2 > -SIG * d1)
            break;              % out of evaluations: line search failed
        elseif d2 > SIG * d1
            success = true;     % strong Wolfe-Powell conditions hold
            break;
        elseif evalsLeft == 0
            break;              % still descending, but out of evaluations
        end

        % slope still too negative: extrapolate with a cubic fit
        A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3);
        B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
        z2 = -d2 * z3 * z3 / (B + sqrt(B * B - A * d2 * z3 * z3));
        if ~isreal(z2) || isnan(z2) || isinf(z2) || z2 < 0
            % no usable extrapolation point
            if limit < -0.5
                z2 = z1 * (EXT - 1);           % no bound: go the maximum
            else
                z2 = (limit - z1) / 2;         % bound known: bisect
            end
        elseif (limit > -0.5) && (z2 + z1 > limit)
            z2 = (limit - z1) / 2;             % beyond the bound: bisect
        elseif (limit < -0.5) && (z2 + z1 > z1 * EXT)
            z2 = z1 * (EXT - 1.0);             % too far: cap at EXT
        elseif z2 < -z3 * INT
            z2 = -z3 * INT;                    % too close to point 3
        elseif (limit > -0.5) && (z2 < (limit - z1) * (1.0 - INT))
            z2 = (limit - z1) * (1.0 - INT);   % too close to the bound
        end
        % the current point becomes point 3, then step on
        f3 = f2;
        d3 = d2;
        z3 = -z2;
        z1 = z1 + z2;
        X = X + z2 * s;
        [f2, df2] = feval(f, X, varargin{:});
        evalsLeft = evalsLeft - 1;
        i = i + perEval;
        d2 = df2' * s;
    end

    if success
        f1 = f2;
        fX = [fX; f1]; %#ok<AGROW>
        if verbose
            fprintf('Iteration %4i | Cost: %4.6e\r', i, f1);
            if isOctave
                fflush(stdout);
            end
        end
        % Polack-Ribiere direction
        s = (df2' * df2 - df1' * df2) / (df1' * df1) * s - df2;
        dfPrev = df1;
        df1 = df2;
        df2 = dfPrev;
        d2 = df1' * s;
        if d2 > 0
            % not a descent direction: restart along the negative gradient
            s = -df1;
            d2 = -s' * s;
        end
        % next initial step from the slope ratio, capped at RATIO
        z1 = z1 * min(RATIO, d1 / (d2 - realmin));
        d1 = d2;
        failedBefore = false;
    else
        % back to the start of this line search
        X = X0;
        f1 = f0;
        df1 = df0;
        if failedBefore || i > abs(budget)
            break;              % second failure in a row, or budget used
        end
        % Restart along steepest descent. As in the published algorithm,
        % the gradients are swapped here, so the new direction uses the
        % gradient from the last evaluation of the failed search.
        dfPrev = df1;
        df1 = df2;
        df2 = dfPrev; %#ok<NASGU>
        s = -df1;
        d1 = -s' * s;
        z1 = 1 / (1 - d1);
        failedBefore = true;
    end
end
if verbose
    fprintf('\n');
end

end
