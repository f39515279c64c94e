"""GAN training as a scikit-learn estimator, with importance-sampled minibatches."""

from ._estimator import ImportanceSampledGAN
from .augmentation import GANOversampler
from .sampling import ImportanceSampler, PairedImportanceSampler, TopKSampler, UniformSampler

__all__ = [
    "GANOversampler",
    "ImportanceSampledGAN",
    "ImportanceSampler",
    "PairedImportanceSampler",
    "TopKSampler",
    "UniformSampler",
]

__version__ = "0.1.0"
