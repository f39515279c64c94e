"""Sampler strategies that choose the discriminator's minibatch.

See :class:`BaseSampler` for the interface a custom strategy implements.
"""

from ._base import BaseSampler, GeneratorSelection, Selection, effective_sample_size
from ._importance import ImportanceSampler
from ._paired import PairedImportanceSampler
from ._proposal import (
    draw_units,
    importance_weights,
    inclusion_probabilities,
    variance_ratio,
)
from ._scores import (
    SCORES,
    full_scores,
    generator_row_scores,
    last_layer_scores,
    logit_scores,
    loss_scores,
    pair_scores,
    row_scores,
)
from ._topk import TopKSampler
from ._uniform import UniformSampler

__all__ = [
    "SCORES",
    "BaseSampler",
    "GeneratorSelection",
    "ImportanceSampler",
    "PairedImportanceSampler",
    "Selection",
    "TopKSampler",
    "UniformSampler",
    "draw_units",
    "effective_sample_size",
    "full_scores",
    "generator_row_scores",
    "importance_weights",
    "inclusion_probabilities",
    "last_layer_scores",
    "logit_scores",
    "loss_scores",
    "pair_scores",
    "row_scores",
    "variance_ratio",
]
