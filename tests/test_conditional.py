"""Conditional generation: fit(X, y) and sample(n, y=...)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from _small import make_small_gan


def _two_classes(n_per_class=64):
    """1-D rows of class 'low' around -5 and of class 'high' around +5."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-5.0, 0.5, n_per_class), rng.normal(5.0, 0.5, n_per_class)])
    y = np.array(["low"] * n_per_class + ["high"] * n_per_class)
    return X[:, None], y


@pytest.fixture(scope="module")
def conditional_gan():
    X, y = _two_classes()
    # About 800 steps: enough, measured, for the label to steer the rows.
    return make_small_gan(
        max_epochs=100,
        batch_size=16,
        generator__hidden_units=(32,),
        discriminator__hidden_units=(32,),
    ).fit(X, y)


def test_fit_with_labels_sets_classes(conditional_gan):
    assert_array_equal(conditional_gan.classes_, ["high", "low"])
    assert_array_equal(conditional_gan.class_prior_, [0.5, 0.5])


def test_fit_without_labels_has_no_classes():
    X, _ = _two_classes()

    gan = make_small_gan().fit(X)

    assert not hasattr(gan, "classes_")


def test_sample_by_class_follows_the_class(conditional_gan):
    high = conditional_gan.sample(300, y="high", random_state=0)
    low = conditional_gan.sample(300, y="low", random_state=0)

    # The classes sit 10 standard deviations apart, so a generator that
    # uses its label puts the medians on the right sides of 0.
    assert np.median(high) > 2.0
    assert np.median(low) < -2.0


def test_sample_with_label_array(conditional_gan):
    labels = np.array(["high", "low"] * 50)

    rows = conditional_gan.sample(100, y=labels, random_state=0)

    assert rows.shape == (100, 1)
    assert np.mean(rows[labels == "high"]) > np.mean(rows[labels == "low"])


def test_sample_without_labels_draws_classes(conditional_gan):
    rows = conditional_gan.sample(400, random_state=0)

    # Classes are drawn with their training frequencies (one half each), so
    # both sides of 0 receive a good share of the rows.
    assert 0.2 < np.mean(rows > 0) < 0.8


def test_sample_unknown_label_raises(conditional_gan):
    with pytest.raises(ValueError, match=r"y contains labels \['middle'\] that were not seen"):
        conditional_gan.sample(3, y="middle")


def test_sample_label_array_wrong_length_raises(conditional_gan):
    with pytest.raises(ValueError, match=r"array of n_samples=3 labels. Got an array of shape \(2,\)"):
        conditional_gan.sample(3, y=["low", "high"])


def test_sample_labels_on_unconditional_gan_raises():
    X, _ = _two_classes()
    gan = make_small_gan().fit(X)

    with pytest.raises(ValueError, match="fitted without class labels, so sample"):
        gan.sample(3, y="low")


def test_fit_continuous_target_raises():
    X, _ = _two_classes()

    with pytest.raises(ValueError, match="Unknown label type: 'continuous'"):
        make_small_gan().fit(X, np.linspace(0, 1, len(X)))


def test_partial_fit_must_keep_labels():
    X, y = _two_classes()
    gan = make_small_gan().partial_fit(X, y)

    with pytest.raises(ValueError, match="fitted with class labels y, so it must be trained"):
        gan.partial_fit(X)


def test_partial_fit_unseen_label_raises():
    X, y = _two_classes()
    gan = make_small_gan().partial_fit(X, y)

    with pytest.raises(ValueError, match=r"y contains labels \['new'\]"):
        gan.partial_fit(X[:2], np.array(["new", "low"]))


def test_score_with_labels_prefers_true_labels(conditional_gan):
    X, y = _two_classes()
    swapped = np.where(y == "low", "high", "low")

    # With swapped labels every row sits 10 standard deviations from the
    # rows its label generates, so the joint MMD is far larger.
    assert conditional_gan.score(X, y) > conditional_gan.score(X, swapped)


def test_score_without_labels_on_conditional_gan(conditional_gan):
    X, _ = _two_classes()

    assert isinstance(conditional_gan.score(X), float)


def test_conditional_fit_is_reproducible():
    X, y = _two_classes()

    first = make_small_gan().fit(X, y).sample(20, y="low", random_state=1)
    second = make_small_gan().fit(X, y).sample(20, y="low", random_state=1)

    assert_array_equal(first, second)


@pytest.mark.parametrize("sampler", ["uniform", "paired"])
def test_conditional_fit_with_each_sampler(sampler):
    X, y = _two_classes()

    gan = make_small_gan(sampler=sampler).fit(X, y)

    assert np.all(np.isfinite(gan.history_[:, "d_loss"]))
