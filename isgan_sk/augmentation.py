"""GANOversampler: synthetic rows from a conditional GAN, for imbalanced-learn pipelines.

When imbalanced-learn is installed, :class:`GANOversampler` derives from its
``BaseOverSampler``, so it validates inputs, interprets
``sampling_strategy`` and converts outputs exactly as imbalanced-learn's own
over-samplers do, and it can be a step of :class:`imblearn.pipeline.Pipeline`.
Without imbalanced-learn, a small base class in this module provides the same
``fit_resample`` template and the same meanings of ``sampling_strategy`` for
NumPy and pandas input.
"""

import numbers
from collections import Counter
from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import validate_data

from ._estimator import ImportanceSampledGAN

__all__ = ["GANOversampler"]

SAMPLING_STRATEGY_NAMES = {"auto", "minority", "not minority", "not majority", "all"}


def _over_sampling_targets(sampling_strategy, y):
    """Return the number of rows to add per class, as imbalanced-learn defines it.

    Strings name the classes to fill up to the majority count. A float in
    (0, 1] is the requested ratio of minority to majority count, for two
    classes only. A dict maps classes to their requested total count, and a
    callable maps ``y`` to such a dict.
    """
    counts = Counter(y.tolist())
    if len(counts) < 2:
        raise ValueError(
            f"The target 'y' needs samples of at least 2 classes; got {len(counts)} class."
        )
    majority_count = max(counts.values())
    minority_class = min(counts, key=counts.get)
    majority_class = max(counts, key=counts.get)

    if callable(sampling_strategy):
        sampling_strategy = sampling_strategy(y)
    if isinstance(sampling_strategy, str):
        targeted = {
            "minority": [minority_class],
            "not minority": [c for c in counts if c != minority_class],
            "not majority": [c for c in counts if c != majority_class],
            "auto": [c for c in counts if c != majority_class],
            "all": list(counts),
        }[sampling_strategy]
        return {c: majority_count - counts[c] for c in sorted(targeted)}
    if isinstance(sampling_strategy, Mapping):
        unknown = sorted(set(sampling_strategy) - set(counts), key=str)
        if unknown:
            raise ValueError(
                f"The classes {unknown} of 'sampling_strategy' are not present in y."
            )
        added = {}
        for cls, requested in sampling_strategy.items():
            if requested < counts[cls]:
                raise ValueError(
                    f"With over-sampling, the number of samples requested for class "
                    f"{cls!r} ({requested}) must be at least its current count "
                    f"({counts[cls]})."
                )
            added[cls] = int(requested) - counts[cls]
        return added
    # A float is the ratio of the minority count to the majority count.
    if len(counts) != 2:
        raise ValueError(
            "A float 'sampling_strategy' is only valid for two classes; use a str, "
            "a dict or a callable for more classes."
        )
    requested = int(sampling_strategy * majority_count)
    if requested < counts[minority_class]:
        raise ValueError(
            f"The float 'sampling_strategy' {sampling_strategy} would remove samples "
            "of the minority class; raise it."
        )
    return {minority_class: requested - counts[minority_class]}


class _FallbackOverSampler(BaseEstimator):
    """The ``fit_resample`` template used when imbalanced-learn is not installed."""

    _sampling_type = "over-sampling"

    def fit_resample(self, X, y):
        check_classification_targets(y)
        if type_of_target(y) in ("multilabel-indicator", "multiclass-multioutput"):
            raise ValueError("Multilabel and multioutput targets are not supported.")
        self._validate_params()
        columns = getattr(X, "columns", None)
        y_name = getattr(y, "name", None)
        X, y = self._check_X_y(X, y)
        self.sampling_strategy_ = _over_sampling_targets(self.sampling_strategy, y)
        X_res, y_res = self._fit_resample(X, y)
        if columns is not None:
            import pandas as pd

            X_res = pd.DataFrame(X_res, columns=columns)
            if y_name is not None:
                y_res = pd.Series(y_res, name=y_name)
        return X_res, y_res

    def _check_X_y(self, X, y):
        return validate_data(self, X, y, reset=True, dtype=[np.float64, np.float32])


try:
    from imblearn.over_sampling.base import BaseOverSampler
    from imblearn.utils import check_target_type
except ImportError:
    _OverSamplerBase = _FallbackOverSampler
else:

    class _OverSamplerBase(BaseOverSampler):
        """imbalanced-learn's over-sampler base, restricted to dense float input."""

        def _check_X_y(self, X, y, accept_sparse=None):
            # The GAN trains on dense float rows, so sparse input is rejected
            # with scikit-learn's message instead of being densified silently.
            y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
            X, y = validate_data(
                self, X, y, reset=True, accept_sparse=False, dtype=[np.float64, np.float32]
            )
            return X, y, binarize_y


class _GANOversamplerMixin:
    """Parameters and ``_fit_resample`` shared by both base classes."""

    _parameter_constraints = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions(SAMPLING_STRATEGY_NAMES),
            Mapping,
            callable,
        ],
        "estimator": [HasMethods(["fit", "sample"]), None],
        "augment_ratio": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, sampling_strategy="auto", estimator=None, augment_ratio=0.0, random_state=None
    ):
        self.sampling_strategy = sampling_strategy
        self.estimator = estimator
        self.augment_ratio = augment_ratio
        self.random_state = random_state

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        estimator = ImportanceSampledGAN() if self.estimator is None else self.estimator
        self.estimator_ = clone(estimator)
        if self.random_state is not None and "random_state" in self.estimator_.get_params():
            self.estimator_.set_params(random_state=random_state.randint(np.iinfo(np.int32).max))

        # One conditional GAN learns every class at once; rows are then
        # generated for each class separately.
        self.estimator_.fit(X, y)

        counts = Counter(y.tolist())
        added = dict(self.sampling_strategy_)
        for cls, count in counts.items():
            added[cls] = added.get(cls, 0) + int(round(self.augment_ratio * count))
        self.n_synthetic_ = {cls: n for cls, n in added.items() if n > 0}

        X_parts, y_parts = [X], [y]
        for cls, n_new in self.n_synthetic_.items():
            labels = np.full(n_new, cls, dtype=y.dtype)
            rows = self.estimator_.sample(
                n_new, y=labels, random_state=random_state.randint(np.iinfo(np.int32).max)
            )
            X_parts.append(rows.astype(X.dtype, copy=False))
            y_parts.append(labels)
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


class GANOversampler(_GANOversamplerMixin, _OverSamplerBase):
    """Add synthetic rows drawn from a conditional GAN to chosen classes.

    ``fit_resample(X, y)`` clones ``estimator``, fits it as a conditional
    GAN on ``(X, y)``, and returns X and y with generated rows appended:
    the number per class comes from ``sampling_strategy``, plus
    ``augment_ratio`` times each class's count. In a pipeline of
    imbalanced-learn, resampling happens in ``fit`` only, so synthetic rows
    come from the training folds alone during cross-validation.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to fill and how far, with imbalanced-learn's meanings:
        ``'auto'`` and ``'not majority'`` fill every class but the majority
        to the majority's count, ``'minority'`` only the minority class,
        ``'not minority'`` all but the minority, ``'all'`` every class. A
        float in (0, 1] is the requested ratio of minority to majority count
        for two classes. A dict maps classes to their requested total count
        and a callable maps ``y`` to such a dict. ``{}`` adds nothing by
        itself, for plain augmentation with ``augment_ratio``.
    estimator : ImportanceSampledGAN or None, default=None
        The GAN to fit on the labelled rows; ``None`` uses
        ``ImportanceSampledGAN()``. It is cloned, so the object passed here
        is never fitted.
    augment_ratio : float, default=0.0
        Synthetic rows added to every class, as a fraction of its count,
        on top of ``sampling_strategy``: 0.5 adds half as many generated
        rows as a class has.
    random_state : int, RandomState instance or None, default=None
        Seeds the cloned GAN (when it has a ``random_state`` parameter) and
        the generated rows.

    Attributes
    ----------
    estimator_ : ImportanceSampledGAN
        The fitted conditional GAN.
    sampling_strategy_ : dict
        Rows to add per class that ``sampling_strategy`` requests.
    n_synthetic_ : dict
        Rows added per class, ``augment_ratio`` included.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk import GANOversampler, ImportanceSampledGAN
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(3, 1, (20, 2))])
    >>> y = np.array([0] * 60 + [1] * 20)
    >>> gan = ImportanceSampledGAN(max_epochs=2, random_state=0)
    >>> X_res, y_res = GANOversampler(estimator=gan, random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [60, 60]
    """
