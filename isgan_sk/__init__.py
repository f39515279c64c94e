"""GAN training as a scikit-learn estimator, with importance-sampled minibatches."""

from ._estimator import ImportanceSampledGAN
from .sampling import PairedImportanceSampler, UniformSampler

__all__ = ["ImportanceSampledGAN", "PairedImportanceSampler", "UniformSampler"]

__version__ = "0.1.0"
