import numpy as np
import pytest


@pytest.fixture
def X_small():
    """96 rows of a 2-D Gaussian with distinct means and scales per feature."""
    rng = np.random.default_rng(0)
    return rng.normal(loc=[4.0, -1.0], scale=[1.25, 0.5], size=(96, 2))
