function make_reference(outdir, optimizer)
%MAKE_REFERENCE Write the MATLAB/Octave reference outputs for nn3.
%   make_reference()                 writes into matlab_ref/outputs
%   make_reference(outdir)           writes into outdir (created if needed)
%   make_reference(outdir, optimizer) chooses the optimiser:
%       'cgmin'  (default) matlab_ref/cgmin.m, shipped with nn3;
%       'fmincg' a genuine fmincg.m on the path (error if there is none);
%       'auto'   fmincg.m if one is on the path, otherwise cgmin.
%
%   Runs unchanged in MATLAB and GNU Octave. Inputs come from ../data
%   (data.mat: 2-feature disc problem, digits.mat: 8x8 digits). Random
%   weights depend on the engine's generator, so every file stores the
%   weights it used. Files written (MATLAB v7 format):
%     sigmoid.mat          sigmoid / sigmoidGradient on edge-case inputs
%     cost_doc241.mat      2-4-1 network of the source document, data.mat
%     cost_digits.mat      64-25-10 network, digits.mat
%     cost_debug353.mat    ex4's checkNNGradients 3-5-3 network (+ X, y)
%     fmincg_rosenbrock.mat  Rosenbrock from [-1.2; 1], MaxIter 100
%     fmincg_doc241.mat    2-4-1 network trained, lambda 0, MaxIter 100
%     fmincg_digits_5.mat  64-25-10 network trained, lambda 1, MaxIter 5
%     fmincg_digits_50.mat same, MaxIter 50
%   Each file also holds engine, blas, lapack and generated_by.
%   See README.md for every variable.

here = fileparts(mfilename('fullpath'));
addpath(here);
if nargin < 1 || isempty(outdir)
    outdir = fullfile(here, 'outputs');
end
if nargin < 2 || isempty(optimizer)
    optimizer = 'cgmin';
end
if ~exist(outdir, 'dir')
    mkdir(outdir);
end

% optimiser
hasFmincg = exist('fmincg', 'file') == 2;
switch lower(optimizer)
    case 'cgmin'
        useFmincg = false;
    case 'fmincg'
        if ~hasFmincg
            error('make_reference:nofmincg', 'no fmincg.m on the path');
        end
        useFmincg = true;
    case 'auto'
        useFmincg = hasFmincg;
    otherwise
        error('make_reference:optimizer', 'unknown optimizer ''%s''', optimizer);
end
if useFmincg
    optfun = @fmincg;
    optname = ['fmincg (' which('fmincg') ')'];
else
    optfun = @cgmin;
    optname = 'cgmin (matlab_ref/cgmin.m)';
end

% data
datadir = fullfile(here, '..', 'data');
docFile = fullfile(datadir, 'data.mat');
digitsFile = fullfile(datadir, 'digits.mat');
if ~exist(docFile, 'file') || ~exist(digitsFile, 'file')
    error('make_reference:nodata', 'data/data.mat and data/digits.mat are needed (%s)', datadir);
end
doc = load(docFile);
digits = load(digitsFile);

% metadata stored in every file
[engine, blas, lapack] = engineInfo();
meta = struct('engine', engine, 'blas', blas, 'lapack', lapack, ...
              'generated_by', 'matlab_ref/make_reference.m');
metaOpt = meta;
metaOpt.optimizer = optname;

lambdas = [0 1 3];
t0 = tic;

% ---- sigmoid and its gradient on edge cases ------------------------------
z = [0 1 -1 20 -20 40 -40 710 -710 745 -745 Inf -Inf NaN]';
S = struct();
S.z = z;
S.sigmoid_z = sigmoid(z);
S.sigmoidGradient_z = sigmoidGradient(z);
saveReference(outdir, 'sigmoid.mat', S, meta);

% ---- (a) the document's 2-4-1 network on data.mat ------------------------
% rand(...) * 2 - 1 as in the document, i.e. epsilon_init = 1
S = struct();
S.seed = seedRand();
S.epsilon_init = 1;
docTheta1 = randInitializeWeights(2, 4, 1);
docTheta2 = randInitializeWeights(4, 1, 1);
S.data_file = 'data/data.mat';
S = costCase(S, docTheta1, docTheta2, doc.X, doc.y, lambdas);
saveReference(outdir, 'cost_doc241.mat', S, meta);

% ---- (b) 64-25-10 network on digits.mat -----------------------------------
S = struct();
S.seed = seedRand();
S.epsilon_init = 0.12;
digTheta1 = randInitializeWeights(64, 25);
digTheta2 = randInitializeWeights(25, 10);
S.data_file = 'data/digits.mat';
S = costCase(S, digTheta1, digTheta2, digits.X, digits.y, lambdas);
saveReference(outdir, 'cost_digits.mat', S, meta);

% ---- (c) ex4 checkNNGradients debug network 3-5-3 -------------------------
m = 5;
nIn = 3;
nHid = 5;
K = 3;
Theta1 = debugInitializeWeights(nHid, nIn);
Theta2 = debugInitializeWeights(K, nHid);
X = debugInitializeWeights(m, nIn - 1);
y = 1 + mod((1:m)', K);
S = struct();
S.X = X;
S.y = y;
S = costCase(S, Theta1, Theta2, X, y, lambdas);
% numerical gradient check (ex4 expects a relative difference < 1e-9)
for k = 1:numel(lambdas)
    tag = sprintf('lambda%g', lambdas(k));
    cost = @(p) nnCostFunction(p, nIn, nHid, K, X, y, lambdas(k));
    numgrad = numericalGradient(cost, S.nn_params, 1e-4);
    grad = S.(['grad_' tag]);
    reldiff = norm(numgrad - grad) / norm(numgrad + grad);
    if ~(reldiff < 1e-9)
        error('make_reference:gradcheck', 'gradient check failed for %s: %g', tag, reldiff);
    end
    S.(['numgrad_' tag]) = numgrad;
    S.(['numgrad_reldiff_' tag]) = reldiff;
end
saveReference(outdir, 'cost_debug353.mat', S, meta);

% ---- optimiser on Rosenbrock ----------------------------------------------
S = struct();
S.x0 = [-1.2; 1];
S.MaxIter = 100;
[S.x, S.fX, S.i, S.n_evals] = runOptimizer(optfun, @rosenbrock, S.x0, S.MaxIter);
saveReference(outdir, 'fmincg_rosenbrock.mat', S, metaOpt);

% ---- optimiser on the document's 2-4-1 network, lambda 0 ----------------
S = struct('data_file', 'data/data.mat');
[S, Theta1, Theta2] = trainCase(S, optfun, docTheta1, docTheta2, doc.X, doc.y, 0, 100);
S.Theta1 = Theta1;
S.Theta2 = Theta2;
% the document's query point
S.x_new = [1.5 2.0];
S.h_new = sigmoid([1 sigmoid([1 S.x_new] * Theta1')] * Theta2');
S.p_new = predict(Theta1, Theta2, S.x_new);
saveReference(outdir, 'fmincg_doc241.mat', S, metaOpt);

% ---- optimiser on the 64-25-10 digits network, lambda 1 ------------------
for maxIter = [5 50]
    S = struct('data_file', 'data/digits.mat');
    S = trainCase(S, optfun, digTheta1, digTheta2, digits.X, digits.y, 1, maxIter);
    saveReference(outdir, sprintf('fmincg_digits_%d.mat', maxIter), S, metaOpt);
end

fprintf('make_reference: done in %.2f s (%s, optimizer %s)\n', toc(t0), engine, optname);

end
