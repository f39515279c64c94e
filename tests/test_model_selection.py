"""ImportanceSampledGAN inside scikit-learn's parameter API, searches and pipelines."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from _small import make_small_gan
from isgan_sk import PairedImportanceSampler, UniformSampler


def test_get_params_includes_nested_parameters():
    gan = make_small_gan(sampler=PairedImportanceSampler(smoothing=0.3))

    params = gan.get_params()

    assert params["generator__hidden_units"] == (16,)
    assert params["sampler__smoothing"] == 0.3
    assert "sampler__smoothing" not in gan.get_params(deep=False)


def test_clone_keeps_nested_parameters():
    gan = make_small_gan(optimizer_generator__lr=1e-3)

    cloned = clone(gan)

    assert cloned is not gan
    assert cloned.get_params(deep=False) == gan.get_params(deep=False)


def test_set_params_nested_network_parameter():
    gan = make_small_gan()

    gan.set_params(generator__hidden_units=(32, 32), optimizer_discriminator__lr=0.01)

    assert gan.get_params()["generator__hidden_units"] == (32, 32)
    assert gan.get_params()["optimizer_discriminator__lr"] == 0.01


def test_set_params_on_string_sampler_builds_the_object():
    gan = make_small_gan(sampler="paired")

    gan.set_params(sampler__smoothing=0.5)

    assert isinstance(gan.sampler, PairedImportanceSampler)
    assert gan.sampler.smoothing == 0.5


def test_set_params_sampler_and_nested_together():
    gan = make_small_gan(sampler="uniform")

    gan.set_params(sampler="paired", sampler__pool_factor=2)

    assert isinstance(gan.sampler, PairedImportanceSampler)
    assert gan.sampler.pool_factor == 2


def test_set_params_unknown_parameter_raises():
    with pytest.raises(ValueError, match="Invalid parameter 'latent_size'"):
        make_small_gan().set_params(latent_size=3)


def test_grid_search_over_smoothing(X_small):
    search = GridSearchCV(
        make_small_gan(sampler=PairedImportanceSampler()),
        {"sampler__smoothing": [0.1, 0.9]},
        cv=2,
    )

    search.fit(X_small)

    assert search.best_params_["sampler__smoothing"] in (0.1, 0.9)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.sampler_.smoothing == search.best_params_["sampler__smoothing"]


def test_grid_search_over_smoothing_with_default_sampler(X_small):
    search = GridSearchCV(make_small_gan(), {"sampler__smoothing": [0.2, 0.4]}, cv=2)

    search.fit(X_small)

    assert search.best_estimator_.sampler_.smoothing in (0.2, 0.4)


def test_grid_search_over_sampler_objects(X_small):
    search = GridSearchCV(
        make_small_gan(),
        {"sampler": [UniformSampler(), PairedImportanceSampler()]},
        cv=2,
    )

    search.fit(X_small)

    names = [type(s).__name__ for s in search.cv_results_["param_sampler"]]
    assert names == ["UniformSampler", "PairedImportanceSampler"]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_grid_search_over_network_width(X_small):
    search = GridSearchCV(
        make_small_gan(), {"generator__hidden_units": [(8,), (16, 16)]}, cv=2
    )

    search.fit(X_small)

    widths = [
        layer.out_features
        for layer in search.best_estimator_.generator_.body
        if hasattr(layer, "out_features")
    ]
    assert tuple(widths) == search.best_params_["generator__hidden_units"]


def test_pipeline_fit_and_score(X_small):
    pipeline = Pipeline([("scale", StandardScaler()), ("gan", make_small_gan())])

    pipeline.fit(X_small)

    assert isinstance(pipeline.score(X_small), float)
    assert pipeline.named_steps["gan"].n_features_in_ == 2
