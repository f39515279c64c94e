import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from isgan_sk.callbacks import SampleQualityScoring

from _small import make_small_gan


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def scored_epochs(history, name="sample_score"):
    return [row["epoch"] for row in history if name in row]


class ScriptedMetric:
    """Metric that returns the given scores in order, whatever the rows."""

    def __init__(self, scores):
        self.scores = list(scores)
        self.calls = 0

    def __call__(self, X_real, X_generated):
        score = self.scores[self.calls]
        self.calls += 1
        return score


class GeneratorSnapshots(Callback):
    """Keep a copy of the generator's weights after every epoch."""

    def initialize(self):
        self.states_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.states_.append(
            {key: value.clone() for key, value in net.generator_.state_dict().items()}
        )


def assert_state_dicts_equal(left, right):
    assert left.keys() == right.keys()
    for key in left:
        assert torch.equal(left[key], right[key]), f"weights {key!r} differ"


def test_scoring_records_every_nth_epoch(X_small):
    scoring = SampleQualityScoring(
        X_small, every=2, transform=StandardScaler().fit(X_small).transform
    )

    gan = make_small_gan(max_epochs=6, callbacks=[scoring]).fit(X_small)

    assert scored_epochs(gan.history_) == [2, 4, 6]
    scores = [row["sample_score"] for row in gan.history_ if "sample_score" in row]
    assert all(np.isfinite(scores))
    assert gan.history_[1, "sample_score_best"] is True
    assert scoring.best_score_ == min(scores)


def test_scoring_matches_estimator_score(X_small):
    # The estimator's score is -MMD² of as many generated rows as X has,
    # in its scaled space, like the callback's default metric. Only the
    # noise differs, so the two agree up to the MMD's sampling error.
    scoring = SampleQualityScoring(
        X_small, every=3, transform=StandardScaler().fit(X_small).transform
    )

    gan = make_small_gan(max_epochs=3, callbacks=[scoring]).fit(X_small)

    assert gan.history_[-1, "sample_score"] == pytest.approx(-gan.score(X_small), abs=0.1)


def test_scoring_default_uses_net_scaler(X_small):
    scoring = SampleQualityScoring(X_small, every=2, restore_best=False)
    gan = make_small_gan(callbacks=[scoring])
    gan.partial_fit(X_small)

    # The estimator's own scaler, reached through public attributes.
    gan.net_.scaler_ = gan.scaler_
    gan.partial_fit(X_small)

    expected = SampleQualityScoring(X_small, transform=gan.scaler_).compute_score(gan.net_)
    assert gan.history_[-1, "sample_score"] == expected


def test_scoring_uses_the_estimator_scaler(X_small):
    scoring = SampleQualityScoring(X_small, every=1)

    gan = make_small_gan(callbacks=[scoring], max_epochs=2).fit(X_small)

    assert np.all(np.isfinite(gan.history_[:, "sample_score"]))


def test_scoring_without_scaler_raises(X_small):
    gan = make_small_gan(max_epochs=1).fit(X_small)
    gan.net_.scaler_ = None
    scoring = SampleQualityScoring(X_small, every=1)
    scoring.initialize()

    with pytest.raises(ValueError, match="the net has no 'scaler_'. Pass transform="):
        scoring.on_epoch_end(gan.net_)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"every": 0}, "'every' parameter .* must be an int >= 1. Got 0"),
        ({"patience": 1.5}, "'patience' parameter .* or None. Got 1.5"),
        ({"metric": "fid"}, "'metric' parameter .* Got 'fid'"),
    ],
)
def test_scoring_invalid_params(X_small, params, message):
    scoring = SampleQualityScoring(X_small, transform=lambda X: X, **params)

    with pytest.raises(ValueError, match=message):
        make_small_gan(callbacks=[scoring]).fit(X_small)


def test_early_stopping_on_plateau(X_small):
    # With a learning rate of 1e-30, every Adam step is far below float32
    # resolution, so the weights and therefore the scores stay exactly
    # equal: no score after the first improves on it.
    scoring = SampleQualityScoring(
        X_small, every=1, patience=2, transform=StandardScaler().fit(X_small).transform
    )

    gan = make_small_gan(max_epochs=10, lr=1e-30, callbacks=[scoring]).fit(X_small)

    assert len(gan.history_) == 3
    assert scoring.stopped_epoch_ == 3
    assert scoring.best_epoch_ == 1
    scores = gan.history_[:, "sample_score"]
    assert scores[0] == scores[1] == scores[2]


def test_restore_best_loads_best_weights(X_small):
    scoring = SampleQualityScoring(
        X_small, every=1, metric=ScriptedMetric([3.0, 1.0, 2.0, 4.0]), transform=lambda X: X
    )
    snapshots = GeneratorSnapshots()

    gan = make_small_gan(max_epochs=4, callbacks=[scoring, snapshots]).fit(X_small)

    assert scoring.best_epoch_ == 2
    assert_state_dicts_equal(gan.generator_.state_dict(), snapshots.states_[1])
    last = snapshots.states_[3]
    assert any(
        not torch.equal(value, last[key]) for key, value in gan.generator_.state_dict().items()
    )


def test_restore_best_scores_unscored_last_epoch(X_small):
    metric = ScriptedMetric([2.0, 1.0])
    scoring = SampleQualityScoring(X_small, every=2, metric=metric, transform=lambda X: X)
    snapshots = GeneratorSnapshots()

    gan = make_small_gan(max_epochs=3, callbacks=[scoring, snapshots]).fit(X_small)

    assert scored_epochs(gan.history_) == [2, 3]
    assert scoring.best_epoch_ == 3
    assert_state_dicts_equal(gan.generator_.state_dict(), snapshots.states_[2])


def test_restore_best_off_keeps_last_weights(X_small):
    scoring = SampleQualityScoring(
        X_small,
        every=1,
        metric=ScriptedMetric([1.0, 2.0]),
        transform=lambda X: X,
        restore_best=False,
    )
    snapshots = GeneratorSnapshots()

    gan = make_small_gan(max_epochs=2, callbacks=[scoring, snapshots]).fit(X_small)

    assert_state_dicts_equal(gan.generator_.state_dict(), snapshots.states_[1])


@pytest.mark.parametrize(
    "callback_key, wrap",
    [("SampleQualityScoring", lambda cb: cb), ("quality", lambda cb: ("quality", cb))],
)
def test_scoring_in_grid_search(X_small, callback_key, wrap):
    # Each fold fits its own scaler, which differs slightly from this one;
    # the test checks the wiring of the parameters, not the scores.
    scaler = StandardScaler().fit(X_small)
    scoring = SampleQualityScoring(X_small, transform=scaler.transform)
    gan = make_small_gan(callbacks=[wrap(scoring)])
    param = f"callbacks__{callback_key}__every"
    search = GridSearchCV(gan, {param: [1, 2]}, cv=2)

    search.fit(X_small)

    assert search.cv_results_["params"] == [{param: 1}, {param: 2}]
    every = search.best_params_[param]
    assert scored_epochs(search.best_estimator_.history_) == list(range(every, 3, every))
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert scoring.every == 5, "the search changed the user's callback"


def test_scoring_conditional_needs_labels(X_small):
    y = np.arange(len(X_small)) % 2
    scoring = SampleQualityScoring(X_small, transform=lambda X: X)

    with pytest.raises(ValueError, match="needs y_valid"):
        make_small_gan(callbacks=[scoring]).fit(X_small, y)


def test_scoring_conditional_uses_labels(X_small):
    y = np.where(np.arange(len(X_small)) % 2 == 0, "a", "b")
    scoring = SampleQualityScoring(X_small, y_valid=y, every=2, restore_best=False)
    gan = make_small_gan(max_epochs=1, callbacks=[scoring]).fit(X_small, y)
    gan.net_.scaler_ = gan.scaler_
    gan.net_.classes_ = gan.classes_

    gan.partial_fit(X_small, y)

    assert np.isfinite(gan.history_[-1, "sample_score"])
    assert_array_equal(scored_epochs(gan.history_), [2])
