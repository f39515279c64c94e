"""Sampler strategies that choose the discriminator's minibatch.

See :class:`BaseSampler` for the interface a custom strategy implements.
"""

from ._base import BaseSampler, GeneratorSelection, Selection, effective_sample_size
from ._paired import PairedImportanceSampler, importance_weights
from ._scores import last_layer_scores, logit_scores, pair_scores
from ._uniform import UniformSampler

__all__ = [
    "BaseSampler",
    "GeneratorSelection",
    "PairedImportanceSampler",
    "Selection",
    "UniformSampler",
    "effective_sample_size",
    "importance_weights",
    "last_layer_scores",
    "logit_scores",
    "pair_scores",
]
