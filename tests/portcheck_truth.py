"""The truth about each function of tests/portcheck_corpus, found without nn3 or port-check.

Each corpus folder's functions are called in GNU Octave by a harness of their own (not
port-check's driver) on inputs of their own (not port-check's cases), and judged here against:

- a plain transcription of the formulas (``reference_impl.matlab_cost_grad``, which shares no
  code with nn3) for the cost;
- central finite differences of that cost for every gradient (no backpropagation code at all);
- published values: ``sigmoidGradient(0) = 0.25``, and with ex4weights.mat and m = 5000
  examples the regularisation term ``J(lambda=1) - J(lambda=0) = 0.383770 - 0.287629``
  (0.0961406939296045 to full precision, ../shared/matfiles/README.md); it is
  ``lambda / (2 m)`` times a sum over the weights, so with :data:`EX4_M` examples it is that
  times ``5000 / EX4_M``;
- ``argmax + 1`` for predict;
- for randInitializeWeights, the rule the course states: uniform on ``[-e, e]`` with a small
  ``e`` (at most twice the handout's ``sqrt(6) / sqrt(L_in + L_out)``), so both signs, the
  whole range used.

A function is *correct* when every one of its checks holds on networks with labels 1..K,
K >= 2 (exercise 4's contract) and, for the source document's ``costFunction`` and
``backpropagation``, on a binary network too.

Two questions need more than Octave as it is, and the harness answers them with stand-ins of
its own (:data:`STAND_INS`, written for this harness from MATLAB's documentation, sharing no
code with port-check's shims), put on the path behind the folder's own files:

- is code that uses MATLAB-only functions right *in MATLAB* (``sum(A, 'all')``, ``sum(A, [1
  2])``, ``height``, the toolbox's ``dummyvar``)? ``supply=MATLAB`` gives Octave those;
- is a course file missing from the folder the only fault (``sigmoid.m``)? ``supply=COURSE``
  gives the folder the course's ``sigmoid.m``.

:func:`regularisation` says, for an ``nnCostFunction`` that is wrong, whether its cost and its
gradient are regularised (each against the formula and finite differences with and without
lambda), so that a hint naming one of them can be checked.
"""

import math
import os
import subprocess
import tempfile

import numpy as np
from reference_impl import matlab_cost_grad

import nn3

#: The published ex4 regularisation term, m = 5000 (see ../shared/matfiles/README.md).
EX4_REG_TERM = 0.0961406939296045

#: Examples the harness uses with ex4weights.mat: the term scales as 5000 / m (lambda / (2 m)
#: times a sum of squares of the weights), and 100 rows keep loop-style code quick.
EX4_M = 100

#: Exercise 4's number of inputs per function (the document's take 4 or 5).
EX4_NARGIN = {
    "sigmoid": (1,),
    "sigmoidGradient": (1,),
    "costFunction": (4, 5),
    "backpropagation": (4, 5),
    "nnCostFunction": (7,),
    "predict": (3,),
    "randInitializeWeights": (2,),
}

INIT_SIZES = ((7, 4), (300, 30), (10, 10))


def _network(rng, n, h, K, m, binary=False):
    X = rng.normal(size=(m, n))
    if binary:
        y = np.array([i % 2 for i in range(m)], dtype=float)
    else:
        y = np.concatenate([np.arange(1, K + 1), rng.integers(1, K + 1, m - K)]).astype(float)
    T1 = rng.normal(size=(h, n + 1)) * 0.8
    T2 = rng.normal(size=(K, h + 1)) * 0.8
    return {
        "X": X,
        "y": y.reshape(-1, 1),
        "T1": T1,
        "T2": T2,
        "p": np.concatenate([T1.ravel(order="F"), T2.ravel(order="F")]).reshape(-1, 1),
        "n": float(n),
        "h": float(h),
        "K": float(K),
    }


def truth_inputs(ex4weights=None):
    """The harness's inputs: z values, three networks, and the ex4 weights when given."""
    rng = np.random.default_rng(20240611)
    inputs = {
        "z": np.concatenate([np.linspace(-30, 30, 41), [0.0]]).reshape(1, -1),
        "A": _network(rng, 4, 5, 3, 7),
        "B": _network(rng, 6, 4, 4, 9),
        "bin": _network(rng, 3, 4, 1, 8, binary=True),
    }
    if ex4weights is not None:
        w = nn3.load_mat(ex4weights)
        m = EX4_M
        inputs["E"] = {
            "X": np.zeros((m, 400)),
            "y": (1 + np.arange(m) % 10).astype(float).reshape(-1, 1),
            "p": np.concatenate([w["Theta1"].ravel(order="F"), w["Theta2"].ravel(order="F")]),
        }
        inputs["E"]["p"] = inputs["E"]["p"].reshape(-1, 1)
    return inputs


_HARNESS_HEAD = """
warning('off', 'all');
in = load('{inputs}');
"""

# One block per folder: cd there, forget every function seen before, call what is there.
_FOLDER = """
cd('{folder}'); clear -f; clear -x in; r = struct();
names = {{'sigmoid', 'sigmoidGradient', 'costFunction', 'backpropagation', 'nnCostFunction', ...
          'predict', 'randInitializeWeights'}};
for i = 1:numel(names)
  if exist(fullfile(pwd, [names{{i}} '.m']), 'file') == 2
    try
      r.([names{{i}} '_nargin']) = nargin(names{{i}});
      r.([names{{i}} '_nargout']) = nargout(names{{i}});
    end
  end
end
for f = {{'sigmoid', 'sigmoidGradient'}}
  if exist(fullfile(pwd, [f{{1}} '.m']), 'file')
    try, r.(f{{1}}) = evalc_free(@() feval(f{{1}}, in.z));
    catch e, r.([f{{1}} '_err']) = e.message; end
  end
end
nets = {{'A', 'B', 'bin'}};
for i = 1:numel(nets)
  N = in.(nets{{i}});
  if exist(fullfile(pwd, 'nnCostFunction.m'), 'file')
    for lam = [0 1.3]
      key = sprintf('nn_%s_%d', nets{{i}}, round(lam * 10));
      try
        if r.nnCostFunction_nargout == 1
          evalc('J = nnCostFunction(N.p, N.n, N.h, N.K, N.X, N.y, lam);'); r.([key '_J']) = J;
        else
          evalc('[J, g] = nnCostFunction(N.p, N.n, N.h, N.K, N.X, N.y, lam);');
          r.([key '_J']) = J; r.([key '_g']) = g;
        end
      catch e, r.([key '_err']) = e.message; end
    end
  end
  for f = {{'costFunction', 'backpropagation'}}
    if exist(fullfile(pwd, [f{{1}} '.m']), 'file')
      for lam = [0 1.3]
        key = sprintf('%s_%s_%d', f{{1}}, nets{{i}}, round(lam * 10));
        try
          if r.([f{{1}} '_nargin']) == 4
            if lam ~= 0, continue; end
            args = {{N.X, N.y, N.T1, N.T2}};
          else
            args = {{N.X, N.y, N.T1, N.T2, lam}};
          end
          if strcmp(f{{1}}, 'costFunction')
            evalc('J = costFunction(args{{:}});'); r.([key '_J']) = J;
          else
            evalc('[G1, G2] = backpropagation(args{{:}});');
            r.([key '_G1']) = G1; r.([key '_G2']) = G2;
          end
        catch e, r.([key '_err']) = e.message; end
      end
    end
  end
  if exist(fullfile(pwd, 'predict.m'), 'file')
    try, evalc('p = predict(N.T1, N.T2, N.X);'); r.(['predict_' nets{{i}}]) = p;
    catch e, r.(['predict_' nets{{i}} '_err']) = e.message; end
  end
end
if exist(fullfile(pwd, 'nnCostFunction.m'), 'file') && isfield(in, 'E')
  for lam = [0 1]
    try
      if r.nnCostFunction_nargout == 1
        evalc('J = nnCostFunction(in.E.p, 400, 25, 10, in.E.X, in.E.y, lam);');
      else
        evalc('[J, g] = nnCostFunction(in.E.p, 400, 25, 10, in.E.X, in.E.y, lam);');
      end
      r.(sprintf('ex4_J_%d', lam)) = J;
    catch e, r.(sprintf('ex4_err_%d', lam)) = e.message; end
  end
end
if exist(fullfile(pwd, 'randInitializeWeights.m'), 'file')
  sizes = [{sizes}];
  for i = 1:rows(sizes)
    try
      evalc('W = randInitializeWeights(sizes(i, 1), sizes(i, 2));');
      r.(sprintf('init_%d', i)) = W;
    catch e, r.(sprintf('init_%d_err', i)) = e.message; end
  end
end
save('-v7', '{out}', '-struct', 'r');
"""

_EVALC_FREE = """function v = evalc_free(f)
% call f with whatever it prints captured (and dropped)
evalc('v = f();');
end
"""


#: The harness's own stand-ins: MATLAB's documented behaviour (R2018b+ reductions, height,
#: the Statistics and Machine Learning Toolbox's dummyvar) and the course's sigmoid.m.
STAND_INS = {
    "sum": """function s = sum(x, varargin)
% MATLAB: sum(x, 'all') adds every element; sum(x, vecdim) adds over each dimension listed
if numel(varargin) >= 1 && ischar(varargin{1}) && strcmpi(varargin{1}, 'all')
  s = builtin('sum', reshape(x, [], 1));
elseif numel(varargin) >= 1 && isnumeric(varargin{1}) && numel(varargin{1}) > 1
  s = x;
  for d = reshape(varargin{1}, 1, [])
    s = builtin('sum', s, d);
  end
else
  s = builtin('sum', x, varargin{:});
end
end
""",
    "height": """function n = height(x)
% MATLAB: the number of rows
n = size(x, 1);
end
""",
    "dummyvar": """function D = dummyvar(g)
% MATLAB's Statistics and Machine Learning Toolbox: one column per group 1..max(g)
g = g(:);
D = zeros(numel(g), max(g));
for i = 1:numel(g)
  D(i, g(i)) = 1;
end
end
""",
    "sigmoid": """function g = sigmoid(z)
% the course's sigmoid.m
g = 1 ./ (1 + exp(-z));
end
""",
}

#: Stand-ins for MATLAB-only functions, and for the course's files.
MATLAB = ("sum", "height", "dummyvar")
COURSE = ("sigmoid",)


def run_harness(folders, ex4weights=None, octave="octave-cli", supply=()):
    """Call every corpus folder's functions in one Octave process; folder -> outputs dict.

    ``supply`` names :data:`STAND_INS` put on the path (a folder's own file of that name wins).
    """
    inputs = truth_inputs(ex4weights)
    with tempfile.TemporaryDirectory(prefix="nn3-truth-") as tmp:
        inp = os.path.join(tmp, "in.mat")
        nn3.save_mat(inp, inputs)
        helper = os.path.join(tmp, "helpers")
        os.makedirs(helper)
        with open(os.path.join(helper, "evalc_free.m"), "w") as fh:
            fh.write(_EVALC_FREE)
        for name in supply:
            with open(os.path.join(helper, name + ".m"), "w") as fh:
                fh.write(STAND_INS[name])
        sizes = "; ".join(f"{a} {b}" for a, b in INIT_SIZES)
        script = [f"addpath('{helper}');", _HARNESS_HEAD.format(inputs=inp)]
        outs = {}
        for k, folder in enumerate(folders):
            outs[folder] = os.path.join(tmp, f"out_{k}.mat")
            script.append(
                _FOLDER.format(folder=os.path.abspath(folder), out=outs[folder], sizes=sizes)
            )
        path = os.path.join(tmp, "harness.m")
        with open(path, "w") as fh:
            fh.write("\n".join(script))
        subprocess.run(
            [octave, "--norc", "--quiet", "--no-window-system", path],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=600,
            cwd=tmp,
        )
        return {f: nn3.load_mat(o) for f, o in outs.items()}, inputs


def _close(a, b, rtol=1e-9):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= rtol * max(1.0, float(np.max(np.abs(b))))))


def _reference_cost(N, lam, T1=None, T2=None):
    T1 = N["T1"] if T1 is None else T1
    T2 = N["T2"] if T2 is None else T2
    return matlab_cost_grad(N["X"], N["y"], T1, T2, lam)[0]


_FD_CACHE = {}


def finite_difference_grads(N, lam, step=1e-6):
    """dJ/dTheta1, dJ/dTheta2 by central differences of the reference cost (cached)."""
    key = (id(N), lam)
    if key not in _FD_CACHE:
        grads = []
        for which in ("T1", "T2"):
            T = N[which]
            G = np.zeros_like(T)
            for idx in np.ndindex(T.shape):
                plus, minus = T.copy(), T.copy()
                plus[idx] += step
                minus[idx] -= step
                up = _reference_cost(N, lam, **{which: plus})
                down = _reference_cost(N, lam, **{which: minus})
                G[idx] = (up - down) / (2 * step)
            grads.append(G)
        _FD_CACHE[key] = grads
    return _FD_CACHE[key]


def _grad_ok(got, want):
    if got is None or np.shape(got) != np.shape(want):
        return False
    scale = max(1.0, float(np.max(np.abs(want))))
    return bool(np.all(np.abs(np.asarray(got, float) - want) <= 1e-6 * scale))


def judge(out, inputs):
    """Which functions in one folder's harness output are correct: function -> (bool, why)."""
    verdicts = {}
    present = {k[: -len("_nargin")] for k in out if k.endswith("_nargin")}
    for f in sorted(present):
        nargin = int(np.asarray(out[f + "_nargin"]).item())
        if nargin >= 0 and nargin not in EX4_NARGIN[f]:
            verdicts[f] = (False, f"takes {nargin} inputs, not exercise 4's")
            continue
        verdicts[f] = _JUDGES[f](out, inputs)
    return verdicts


def _sigmoid(out, inputs):
    z = inputs["z"]
    ref = 1.0 / (1.0 + np.exp(-z))
    if "sigmoid" not in out:
        return False, out.get("sigmoid_err", "no output")
    return (_close(out["sigmoid"], ref), "against 1 / (1 + exp(-z))")


def _sigmoid_gradient(out, inputs):
    z = inputs["z"]
    if "sigmoidGradient" not in out:
        return False, out.get("sigmoidGradient_err", "no output")
    g = np.asarray(out["sigmoidGradient"], dtype=float)
    if g.shape != z.shape:
        return False, "size"
    if g[0, -1] != 0.25:  # z = 0: the published value
        return False, f"sigmoidGradient(0) = {g[0, -1]}, not 0.25"
    s = lambda t: 1.0 / (1.0 + np.exp(-t))  # noqa: E731
    fd = (s(z + 1e-6) - s(z - 1e-6)) / 2e-6
    return bool(np.all(np.abs(g - fd) <= 1e-8)), "against finite differences of the sigmoid"


def _nn_cost(out, inputs):
    for net in ("A", "B"):
        N = inputs[net]
        for lam10 in (0, 13):
            key = f"nn_{net}_{lam10}"
            lam = lam10 / 10
            if key + "_J" not in out:
                return False, out.get(key + "_err", "no output")
            if not _close(out[key + "_J"], [[_reference_cost(N, lam)]]):
                return False, f"J on network {net}, lambda {lam}"
            if key + "_g" not in out:
                return False, "no gradient"
            G1, G2 = finite_difference_grads(N, lam)
            want = np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")]).reshape(-1, 1)
            if not _grad_ok(out[key + "_g"], want):
                return False, f"gradient on network {net}, lambda {lam}"
    if "E" in inputs:
        if "ex4_J_0" not in out or "ex4_J_1" not in out:
            return False, out.get("ex4_err_0", out.get("ex4_err_1", "no cost with ex4weights"))
        reg = float(np.asarray(out["ex4_J_1"]).item() - np.asarray(out["ex4_J_0"]).item())
        want = EX4_REG_TERM * 5000 / EX4_M
        if not math.isclose(reg, want, rel_tol=1e-9):
            return False, f"J(lambda=1) - J(lambda=0) = {reg} with ex4weights, not {want}"
    return True, "cost against the formula, gradient against finite differences"


def _document(function):
    def judge_one(out, inputs):
        for net in ("A", "B", "bin"):
            N = inputs[net]
            for lam10 in (0, 13):
                key = f"{function}_{net}_{lam10}"
                lam = lam10 / 10
                if int(np.asarray(out[function + "_nargin"]).item()) == 4 and lam10:
                    continue
                if function == "costFunction":
                    if key + "_J" not in out:
                        return False, out.get(key + "_err", "no output")
                    if not _close(out[key + "_J"], [[_reference_cost(N, lam)]]):
                        return False, f"J on network {net}, lambda {lam}"
                else:
                    if key + "_G1" not in out:
                        return False, out.get(key + "_err", "no output")
                    G1, G2 = finite_difference_grads(N, lam)
                    if not (_grad_ok(out[key + "_G1"], G1) and _grad_ok(out[key + "_G2"], G2)):
                        return False, f"gradients on network {net}, lambda {lam}"
        return True, "against the formula and finite differences, binary and K outputs"

    return judge_one


def _predict(out, inputs):
    for net in ("A", "B"):
        N = inputs[net]
        a2 = 1 / (1 + np.exp(-(np.hstack([np.ones((N["X"].shape[0], 1)), N["X"]]) @ N["T1"].T)))
        h = 1 / (1 + np.exp(-(np.hstack([np.ones((a2.shape[0], 1)), a2]) @ N["T2"].T)))
        want = (np.argmax(h, axis=1) + 1).reshape(-1, 1).astype(float)
        got = out.get("predict_" + net)
        if got is None or np.shape(got) != want.shape or not np.array_equal(got, want):
            return False, f"labels on network {net}"
    return True, "argmax + 1"


def _init(out, inputs):
    for i, (L_in, L_out) in enumerate(INIT_SIZES, start=1):
        W = out.get(f"init_{i}")
        if W is None or np.shape(W) != (L_out, 1 + L_in):
            return False, f"size for {L_in}, {L_out}"
        W = np.asarray(W, dtype=float)
        rule = math.sqrt(6) / math.sqrt(L_in + L_out)
        top = float(np.max(np.abs(W)))
        if not (1e-3 <= top <= 2 * rule) or W.min() >= 0 or W.max() <= 0:
            return False, f"range [{W.min():.3g}, {W.max():.3g}] for {L_in}, {L_out}"
        if W.size >= 300 and not 0.4 <= np.mean(np.abs(W) < top / 2) <= 0.6:
            return False, "not uniform"
    return True, "uniform, small, both signs"


def regularisation(out, inputs):
    """Whether a folder's nnCostFunction regularises its cost and its gradient.

    On network A with lambda 1.3, J is compared with the formula with and without lambda's
    term, and the gradient with finite differences of both costs.

    Returns
    -------
    parts : dict
        ``{"cost": True/False/None, "gradient": True/False/None}``: regularised, not, or
        neither (another fault).
    """
    N = inputs["A"]
    key = "nn_A_13"
    parts = {"cost": None, "gradient": None}
    if key + "_J" in out:
        if _close(out[key + "_J"], [[_reference_cost(N, 1.3)]]):
            parts["cost"] = True
        elif _close(out[key + "_J"], [[_reference_cost(N, 0.0)]]):
            parts["cost"] = False
    if key + "_g" in out:
        for lam, regularised in ((1.3, True), (0.0, False)):
            G1, G2 = finite_difference_grads(N, lam)
            want = np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")]).reshape(-1, 1)
            if _grad_ok(out[key + "_g"], want):
                parts["gradient"] = regularised
    return parts


_JUDGES = {
    "sigmoid": _sigmoid,
    "sigmoidGradient": _sigmoid_gradient,
    "nnCostFunction": _nn_cost,
    "costFunction": _document("costFunction"),
    "backpropagation": _document("backpropagation"),
    "predict": _predict,
    "randInitializeWeights": _init,
}
