"""``NN3Classifier``: nn3's network as a scikit-learn classifier (a facade, like ``nn3.plot``).

Optional: needs scikit-learn (``pip install 'nn3[sklearn]'``), imported here and nowhere else in
nn3; without it, importing this module (or ``nn3.NN3Classifier``) raises one
:class:`~nn3.errors.MissingDependencyError` saying what to install.

The classifier trains exactly what :func:`nn3.fit` trains on the same arrays and settings (it
calls the same code: :func:`nn3.workflow.fitting.prepare` and ``TrainingRun.run``), so its
``Theta1_``/``Theta2_`` are bit for bit ``nn3.fit(X, y, ...)``'s, and
:meth:`~NN3Classifier.save_weights` writes the file ``nn3 train`` writes. What scikit-learn adds
is the API: ``get_params``/``set_params``, ``fit``/``predict``/``predict_proba``/``score``, input
validation, feature names, so that the network goes into a ``Pipeline``, ``GridSearchCV``,
``cross_val_score``, ``learning_curve``.

Parameter names follow scikit-learn where it has one for the same thing (``alpha``, ``max_iter``,
``random_state``) and nn3 elsewhere; docs/sklearn.md has the table.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np
import numpy.typing as npt

from .core.activations import log
from .core.network import cost_function, labels_from_outputs, predict_proba
from .errors import MissingDependencyError, ParameterError, TrainingError
from .settings import TrainingSettings
from .workflow.fitting import prepare

#: What to run when scikit-learn is missing.
INSTALL_HINT = "pip install 'nn3[sklearn]'"

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
except ImportError as _exc:  # one line, whatever was missing
    raise MissingDependencyError(
        f"nn3.NN3Classifier needs scikit-learn, which is not installed: {INSTALL_HINT}"
    ) from _exc

#: The classifier's parameters that :class:`~nn3.settings.TrainingSettings` calls otherwise.
SETTING_NAMES = {
    "alpha": "lambda_",
    "max_iter": "maxiter",
    "random_state": "seed",
    "n_jobs": "threads",
}

#: The most a ``random_state`` may be: MATLAB's ``rng(seed)`` takes 0..2^32 - 1.
MAX_SEED = 2**32 - 1


class NN3Classifier(ClassifierMixin, BaseEstimator):
    """The coursework's three-layer sigmoid network, trained with fmincg, as a scikit-learn
    classifier.

    Parameters
    ----------
    hidden_layer_size : int, default 25
        Hidden units (ex4's 25). One hidden layer: the network is input-hidden-output.
    alpha : float, default 1.0
        The regularisation strength, the coursework's ``lambda``: the cost adds
        ``alpha / (2 m) * sum(Theta.^2)`` over the weights but not the bias columns (the same
        scaling as scikit-learn's ``MLPClassifier(alpha=...)``). Not ``lambda_``: scikit-learn
        reads a trailing underscore as "set by fit".
    max_iter : int, default 50
        fmincg's ``MaxIter`` (``nn3.fit``'s ``maxiter``): line searches when positive, function
        evaluations when negative; L-BFGS-B's iterations with ``method="lbfgs"``.
    random_state : int, numpy RandomState or Generator, or None, default None
        The seed of MATLAB's ``rng(seed)`` (0..2^32 - 1), from which ``randInitializeWeights``
        draws the starting weights (``nn3.fit``'s ``seed``). None is seed 0, what a fresh MATLAB
        session starts with (``rng('default')``), so that every fit is reproducible, as the
        coursework's runs are. A numpy ``RandomState``/``Generator`` gives a seed drawn from it
        at each fit (scikit-learn's meaning: successive fits differ).
    rng : {"matlab", "octave"}, default "matlab"
        Whose ``rng(seed)`` stream draws the starting weights: MATLAB's or GNU Octave's.
    epsilon_init : float, default 0.12
        ``randInitializeWeights``' range: the starting weights lie in [-epsilon, epsilon].
    method : {"fmincg", "lbfgs"}, default "fmincg"
        The optimizer: the coursework's fmincg (MATLAB's iterates), or scipy's L-BFGS-B on the
        same cost.
    precision : {"double", "single"}, default "double"
        Evaluate the cost and gradient in float64 (MATLAB's bits) or float32.
    n_jobs : int, optional
        Threads per evaluation of the cost and gradient (``nn3.fit``'s ``threads``); None: one
        per core. Any number gives the same bits: the rows are cut into blocks that depend on
        the data's shape only and their sums are added in order.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted (``np.unique(y)``).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when ``X`` had string column names (a pandas DataFrame).
    Theta1_ : ndarray of shape (hidden_layer_size, ``n_features_in_`` + 1)
    Theta2_ : ndarray of shape (``n_outputs_``, hidden_layer_size + 1)
        The trained weights as MATLAB has them (bias column first).
    n_outputs_ : int
        Output units: 1 when the labels are 0 and 1 (one sigmoid, ``h >= 0.5`` is class 1, as
        the source document's network and ``nn3.fit``), else one per class.
    n_iter_ : int
        The optimizer's iterations (fmincg's line searches).
    loss_curve_ : list of float
        The cost after each iteration (fmincg's ``fX``; regularised, on the training data).
    fit_result_ : nn3.FitResult
        What :func:`nn3.fit` returns for the same run (the optimizer's result, the diagnostics'
        ``warnings``, ``train_accuracy``, ...).

    Notes
    -----
    Labels are any that scikit-learn's classifiers take (numbers, strings, booleans; binary or
    multi-class). They are numbered as ``nn3.fit`` numbers them, so the network is ``nn3.fit``'s:
    0/1 labels train one output unit; any other labels are numbered 1..K in sorted order (their
    ``classes_`` index plus 1) and train K units, one per class (so two text classes train two
    units, as ``nn3 train`` does with them). Labels 1..K are used as they are, and text labels
    in MATLAB's ``unique`` order, which for text is Python's sorted order.
    """

    def __init__(
        self,
        hidden_layer_size: int = 25,
        alpha: float = 1.0,
        max_iter: int = 50,
        random_state: Any = None,
        rng: str = "matlab",
        epsilon_init: float = 0.12,
        method: str = "fmincg",
        precision: str = "double",
        n_jobs: int | None = None,
    ) -> None:
        self.hidden_layer_size = hidden_layer_size
        self.alpha = alpha
        self.max_iter = max_iter
        self.random_state = random_state
        self.rng = rng
        self.epsilon_init = epsilon_init
        self.method = method
        self.precision = precision
        self.n_jobs = n_jobs

    # --- fitting -----------------------------------------------------------------------------

    def training_settings(self) -> TrainingSettings:
        """The :class:`~nn3.settings.TrainingSettings` of the parameters, checked (by the same
        table as ``nn3.fit``'s keywords); an error names the classifier's parameter.

        With a numpy ``random_state``, each call draws a new seed from it.

        Raises
        ------
        ParameterError
            A parameter of the wrong type or out of range (``alpha=-1``), naming it.
        """
        values = {
            "hidden_layer_size": self.hidden_layer_size,
            "alpha": self.alpha,
            "max_iter": self.max_iter,
            "random_state": _seed_of(self.random_state),
            "rng": self.rng,
            "epsilon_init": self.epsilon_init,
            "method": self.method,
            "precision": self.precision,
            "n_jobs": self.n_jobs,
        }
        try:
            return TrainingSettings(**{SETTING_NAMES.get(k, k): v for k, v in values.items()})
        except ParameterError as exc:
            name = {v: k for k, v in SETTING_NAMES.items()}.get(exc.parameter, exc.parameter)
            if name == exc.parameter:
                raise
            raise ParameterError(name, exc.requirement, exc.value, exc.shown) from None

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> NN3Classifier:
        """Train the network on ``X`` and ``y``, as :func:`nn3.fit` trains it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Dense, finite numbers (a DataFrame's column names are kept).
        y : array_like of shape (n_samples,)
            Class labels, at least two distinct ones.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            ``X`` or ``y`` unusable (scikit-learn's checks), or one class only.
        ParameterError
            A parameter out of range, naming it.
        TrainingError
            The cost became NaN (fmincg's status 3): no network was trained.
        """
        settings = self.training_settings()  # parameters first: nothing done for a bad one
        X, y = validate_data(self, X, y, dtype=np.float64)  # the layout kept, as nn3.fit keeps it
        check_classification_targets(y)
        classes, index = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs examples of at least 2 classes, but y holds one "
                f"class only ({_show(classes[0])})"
            )
        zero_one = _is_zero_one(classes)
        labels = index.astype(np.float64) + (0.0 if zero_one else 1.0)
        result = prepare(X, labels, settings).run()
        if result.failed:  # NaN: not a trained network
            res: Any = result.optimize_result
            raise TrainingError(
                f"{type(self).__name__}: training failed: the cost or its gradient became NaN at "
                f"evaluation {res.nfev} ({settings.method}: {res.message}); check the scale of "
                "X and epsilon_init"
            )
        result.classes = _stored_classes(classes, zero_one)  # the weights file's 'classes'
        self.classes_ = classes
        self.Theta1_, self.Theta2_ = result.Theta1, result.Theta2
        self.n_outputs_ = int(result.Theta2.shape[0])
        res = result.optimize_result
        self.n_iter_ = int(res.nit)
        self.loss_curve_ = [float(f) for f in res.fun_history]
        self.fit_result_ = result
        return self

    # --- predicting ----------------------------------------------------------------------------

    def predict_outputs(self, X: npt.ArrayLike) -> np.ndarray:
        """The output layer's activations h, what predict.m takes the largest of.

        Returns
        -------
        h : ndarray of shape (n_samples, ``n_outputs_``)
            Each unit's sigmoid, in (0, 1); they need not sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return predict_proba(self.Theta1_, self.Theta2_, X)

    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """The predicted labels: predict.m's (the largest output, ties to the first; with one
        output unit, class ``classes_[1]`` where ``h >= 0.5``).

        Returns
        -------
        ndarray of shape (n_samples,)
            Values of ``classes_``.
        """
        p = labels_from_outputs(self.predict_outputs(X)).astype(np.intp)
        return self.classes_[p if self.n_outputs_ == 1 else p - 1]

    def predict_proba(self, X: npt.ArrayLike) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order, each row summing to 1.

        With one output unit, ``[1 - h, h]``. With K units (independent sigmoids, not a
        softmax), each row of h divided by its sum (a row whose units all underflowed to 0 gives
        1/K each). The largest column is :meth:`predict`'s class. The raw outputs are
        :meth:`predict_outputs`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        h = self.predict_outputs(X)
        if h.shape[1] == 1:
            return np.hstack([1.0 - h, h])
        total = h.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = h / total
        proba[(total == 0).reshape(-1)] = 1.0 / h.shape[1]
        return proba

    def predict_log_proba(self, X: npt.ArrayLike) -> np.ndarray:
        """The logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return log(self.predict_proba(X))

    def cost(self, X: npt.ArrayLike, y: npt.ArrayLike, alpha: float = 0.0) -> float:
        """The coursework's cost J of the trained network on ``X`` and ``y`` (costFunction.m).

        Unregularised by default: the error ex5 measures on the training and validation sets
        (``alpha`` adds ``alpha / (2 m) * sum(Theta.^2)``, the bias columns left out).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,)
            Labels among ``classes_``.
        alpha : float, default 0.0

        Returns
        -------
        J : float

        Raises
        ------
        ValueError
            A label that is not one of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        labels_given = np.asarray(column_or_1d(y, warn=True))
        index = np.searchsorted(self.classes_, labels_given)
        known = (index < self.classes_.size) & (
            self.classes_[np.minimum(index, self.classes_.size - 1)] == labels_given
        )
        if not np.all(known):
            unknown = labels_given[~known][0]
            raise ValueError(
                f"y holds the label {_show(unknown)}, which is not one of the classes the "
                f"network was trained on ({', '.join(_show(c) for c in self.classes_[:5])}"
                f"{', ...' if self.classes_.size > 5 else ''})"
            )
        labels = index.astype(np.float64) + (0.0 if self.n_outputs_ == 1 else 1.0)
        return cost_function(X, labels, self.Theta1_, self.Theta2_, alpha)

    # --- the weights file ------------------------------------------------------------------------

    def save_weights(self, path: str | os.PathLike[str], format: str = "5") -> None:
        """Write the weights file ``nn3 train`` writes (atomically), for ``nn3 predict``,
        ``nn3 compare``, MATLAB and Octave.

        ``Theta1``, ``Theta2``, ``nn_params``, the cost history, the settings as ``nn3 train``
        names them (``lambda``, ``maxiter``, ``seed``, ...), and ``classes`` when the labels are
        other than 0/1 or 1..K (so ``nn3 predict`` reports them).

        Parameters
        ----------
        path : str or os.PathLike
        format : {"5", "7.3"}, default "5"
        """
        check_is_fitted(self)
        self.fit_result_.save(path, format=format)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags


def _seed_of(random_state: Any) -> Any:
    """MATLAB's seed of a ``random_state``: None is 0; a numpy generator gives one draw; any
    other value goes to the settings' check as it is."""
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, MAX_SEED, dtype=np.int64))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, MAX_SEED, endpoint=True))
    return random_state


def _is_zero_one(classes: np.ndarray) -> bool:
    """Whether the sorted labels are the numbers (or booleans) 0 and 1."""
    return (
        classes.dtype.kind in "biuf" and classes.size == 2 and classes[0] == 0 and classes[1] == 1
    )


def _stored_classes(classes: np.ndarray, zero_one: bool) -> list[str] | np.ndarray | None:
    """The labels as the weights file stores them: None for 0/1 and 1..K (used as they are,
    as ``nn3 train`` stores none), else the text or the numbers of classes 1..K."""
    if zero_one:
        return None
    if classes.dtype.kind in "biuf":
        if np.array_equal(classes, np.arange(1, classes.size + 1)):
            return None
        return classes.astype(np.float64)
    if all(isinstance(c, str) for c in classes):
        return [str(c) for c in classes]
    return None  # labels of other kinds: predicted in Python only


def _show(label: object) -> str:
    if isinstance(label, numbers.Real) and not isinstance(label, (bool, np.bool_)):
        return f"{float(label):g}"
    return repr(label.item() if isinstance(label, np.generic) else label)
