"""Benchmark cases: training data, quality measures and targets."""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
from sklearn.model_selection import train_test_split

from .. import datasets
from ..metrics import ClassifierFeatures, frechet_distance, mode_coverage, wasserstein_1d

__all__ = ["CASES", "Case"]


@dataclass
class Case:
    """One benchmark problem.

    Attributes
    ----------
    name : str
        Short name used on the command line and in ``results.json``.
    description : str
        One line for the report.
    load : callable
        ``load(seed) -> (X_train, evaluator)``. The evaluator maps generated
        rows to a dict of quality measures and has ``n_eval`` (rows to
        generate) and ``noise_floor()``.
    primary : str
        The measure that the curves and the target use.
    lower_is_better : bool
        Direction of ``primary``.
    target : float
        Value of ``primary`` that counts as reached.
    epochs, quick_epochs : int
        Training budget of the full and of the quick run.
    eval_every, quick_eval_every : int
        Epochs between two evaluations.
    estimator_params : dict
        Parameters of ``ImportanceSampledGAN`` shared by every strategy.
    """

    name: str
    description: str
    load: Callable
    primary: str
    lower_is_better: bool
    target: float
    epochs: int
    quick_epochs: int
    eval_every: int
    quick_eval_every: int
    estimator_params: dict = field(default_factory=dict)
    available: Callable = lambda: (True, "")

    def reached(self, value):
        """Return whether ``value`` of the primary measure meets the target."""
        return value <= self.target if self.lower_is_better else value >= self.target


class OneDimensionalEvaluator:
    """Exact 1-D Wasserstein-1 distance to a fresh sample of the target."""

    def __init__(self, target, seed, n_eval=5000):
        self.target = target
        self.n_eval = n_eval
        self.reference = datasets.make_two_gaussians(n_eval, target, random_state=seed + 10_000)[0]
        self.seed = seed

    def __call__(self, generated):
        return {"w1": float(np.mean(wasserstein_1d(self.reference, generated)))}

    def noise_floor(self):
        other = datasets.make_two_gaussians(self.n_eval, self.target, random_state=self.seed + 20_000)
        return self(other[0])


class MixtureEvaluator:
    """Modes captured, high-quality fraction and reverse KL of a known mixture."""

    def __init__(self, make, centers, std, seed, n_eval=2500):
        self.make = make
        self.centers = centers
        self.std = std
        self.seed = seed
        self.n_eval = n_eval

    def __call__(self, generated):
        coverage = mode_coverage(generated, self.centers, self.std)
        return {
            "modes": float(coverage.n_modes_captured),
            "high_quality": float(coverage.high_quality_fraction),
            "reverse_kl": float(coverage.reverse_kl),
        }

    def noise_floor(self):
        return self(self.make(self.n_eval, random_state=self.seed + 20_000)[0])


@lru_cache(maxsize=None)
def _classifier_for(name):
    X, y = _load_images(name)
    return ClassifierFeatures().fit(X, y)


def _load_images(name):
    if name == "digits":
        return datasets.load_digits()
    return datasets.load_mnist()


class ImageEvaluator:
    """Classifier Fréchet distance and class coverage of generated images.

    The real images are split in two halves with the case's seed. Generated
    images are compared with the first half, and the noise floor is the
    distance between the two halves, so both distances use samples of the
    same size.
    """

    def __init__(self, name, seed):
        X, y = _load_images(name)
        self.classifier = _classifier_for(name)
        self.first, self.second = train_test_split(X, test_size=0.5, random_state=seed, stratify=y)
        self.n_eval = len(self.first)
        self.reference_features = self.classifier.transform(self.first)

    def __call__(self, generated):
        features = self.classifier.transform(generated)
        return {
            "frechet": float(frechet_distance(self.reference_features, features)),
            "class_coverage": self.classifier.class_coverage(generated),
        }

    def noise_floor(self):
        return self(self.second)

    def info(self):
        """Return the feature classifier's held-out accuracy, for the report."""
        return {"classifier_accuracy": self.classifier.accuracy_}


def _mnist_available():
    try:
        datasets.load_mnist()
    except (ImportError, OSError, ValueError) as error:
        return False, str(error)
    return True, ""


def _one_dimensional(target):
    def load(seed):
        X = datasets.make_two_gaussians(2000, target, random_state=seed)[0]
        return X, OneDimensionalEvaluator(target, seed)

    return load


def _mixture(make, centers, std):
    def load(seed):
        X = make(5000, random_state=seed)[0]
        return X, MixtureEvaluator(make, centers, std, seed)

    return load


def _images(name):
    def load(seed):
        X, _ = _load_images(name)
        return X, ImageEvaluator(name, seed)

    return load


# Budgets and learning rates were set from pilot runs of the uniform
# baseline on a 2-core machine, so that the whole benchmark fits in about
# an hour with two runs at once. Each target is a quality that the
# baseline reached within its budget in the pilot.
CASES = {
    "gaussian": Case(
        name="gaussian",
        description="1-D N(4, 1.25^2), 2,000 rows; quality: W1 to the target",
        load=_one_dimensional("unimodal"),
        primary="w1",
        lower_is_better=True,
        target=0.1,
        epochs=40,
        quick_epochs=10,
        eval_every=4,
        quick_eval_every=5,
    ),
    "bimodal": Case(
        name="bimodal",
        description="1-D 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2), 2,000 rows; quality: W1",
        load=_one_dimensional("bimodal"),
        primary="w1",
        lower_is_better=True,
        target=0.25,
        epochs=60,
        quick_epochs=10,
        eval_every=5,
        quick_eval_every=5,
        estimator_params={"lr": 1e-3},
    ),
    "ring": Case(
        name="ring",
        description="2-D ring of 8 Gaussians (std 0.01), 5,000 rows; quality: high-quality fraction",
        load=_mixture(datasets.make_ring, datasets.ring_centers(), 0.01),
        primary="high_quality",
        lower_is_better=False,
        target=0.1,
        epochs=40,
        quick_epochs=4,
        eval_every=5,
        quick_eval_every=2,
        estimator_params={"lr": 1e-3},
    ),
    "grid": Case(
        name="grid",
        description="2-D grid of 25 Gaussians (std 0.05), 5,000 rows; quality: high-quality fraction",
        load=_mixture(datasets.make_grid, datasets.grid_centers(), 0.05),
        primary="high_quality",
        lower_is_better=False,
        target=0.03,
        epochs=40,
        quick_epochs=4,
        eval_every=5,
        quick_eval_every=2,
        estimator_params={"lr": 1e-3},
    ),
    "digits": Case(
        name="digits",
        description="8x8 digits, 1,797 images; quality: classifier Frechet distance",
        load=_images("digits"),
        primary="frechet",
        lower_is_better=True,
        target=35.0,
        epochs=80,
        quick_epochs=10,
        eval_every=10,
        quick_eval_every=5,
        estimator_params={"lr": 5e-4},
    ),
    "mnist": Case(
        name="mnist",
        description="28x28 MNIST subset, 5,000 images; quality: classifier Frechet distance",
        load=_images("mnist"),
        primary="frechet",
        lower_is_better=True,
        target=120.0,
        epochs=9,
        quick_epochs=2,
        eval_every=3,
        quick_eval_every=1,
        estimator_params={"lr": 5e-4},
        available=_mnist_available,
    ),
}
