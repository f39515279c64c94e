"""Parallel searches over ImportanceSampledGAN: reproducibility and thread caps."""

import os

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from skorch.callbacks import Callback

from _small import make_small_gan

# torch sizes its intra-op thread pool from these variables when it is
# imported. In the MKL builds of torch, MKL_NUM_THREADS takes precedence
# over OMP_NUM_THREADS.
TORCH_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")

TEST_SCORE_KEYS = (
    "split0_test_score",
    "split1_test_score",
    "mean_test_score",
    "std_test_score",
    "rank_test_score",
)


class ThreadRecorder(Callback):
    """Record the process id and torch's thread count at each epoch's end."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("pid", os.getpid())
        net.history.record("torch_threads", torch.get_num_threads())


def score_mmd(estimator, X, y=None):
    return estimator.score(X)


def training_pid(estimator, X, y=None):
    return float(estimator.history_[-1, "pid"])


def training_torch_threads(estimator, X, y=None):
    return float(estimator.history_[-1, "torch_threads"])


# The search scores each fit with these, so cv_results_ reports where the
# fit ran and with how many torch threads.
RECORDING_SCORERS = {
    "mmd": score_mmd,
    "pid": training_pid,
    "torch_threads": training_torch_threads,
}


def make_grid_search():
    return GridSearchCV(
        make_small_gan(),
        {"sampler__smoothing": [0.1, 0.9], "generator__hidden_units": [(8,), (16,)]},
        cv=2,
    )


def make_randomized_search():
    return RandomizedSearchCV(
        make_small_gan(),
        {"sampler__smoothing": [0.05, 0.1, 0.3, 0.9], "generator__hidden_units": [(8,), (16,)]},
        n_iter=3,
        cv=2,
        random_state=0,
    )


def make_recording_search():
    return GridSearchCV(
        make_small_gan(max_epochs=1, callbacks=[("threads", ThreadRecorder())]),
        {"sampler__smoothing": [0.1, 0.9]},
        cv=2,
        scoring=RECORDING_SCORERS,
        refit=False,
    )


@pytest.fixture
def restored_environ():
    """Restore os.environ after the test.

    LocalCluster writes dask's pre-spawn variables, OMP_NUM_THREADS among
    them, into the environment of the process that starts it, which would
    change the workers of every later loky search in the test session.
    """
    saved = os.environ.copy()
    yield
    os.environ.clear()
    os.environ.update(saved)


def recorded(results, name):
    """Return a recorded value of every fit of a search, both splits together."""
    return np.concatenate([results[f"split0_test_{name}"], results[f"split1_test_{name}"]])


@pytest.mark.parametrize(
    "make_search", [make_grid_search, make_randomized_search], ids=["grid", "randomized"]
)
def test_search_n_jobs_2_matches_n_jobs_1(make_search, X_small):
    serial = clone(make_search()).set_params(n_jobs=1).fit(X_small)
    parallel = clone(make_search()).set_params(n_jobs=2).fit(X_small)

    # Every fit draws only from the estimator's random_state, so the process
    # that runs it cannot change its result. The parent and the workers run
    # torch with different thread counts, which could reorder the sums of
    # large matrix products. These networks are small enough that torch
    # 2.13 (CPU) computed them bit for bit alike, so the check is exact.
    assert parallel.cv_results_["params"] == serial.cv_results_["params"]
    for key in TEST_SCORE_KEYS:
        np.testing.assert_array_equal(
            parallel.cv_results_[key], serial.cv_results_[key], err_msg=key
        )


def test_threaded_search_matches_serial_run(X_small):
    serial = clone(make_grid_search()).set_params(n_jobs=1).fit(X_small)

    # Threads of one process share torch's global generator. The estimator
    # serialises its seeded sections, so repeated threaded searches must
    # all reproduce the serial scores; before that lock, 2 of 6 did not.
    for _ in range(3):
        with joblib.parallel_config(backend="threading"):
            threaded = clone(make_grid_search()).set_params(n_jobs=2).fit(X_small)
        for key in TEST_SCORE_KEYS:
            np.testing.assert_array_equal(
                threaded.cv_results_[key], serial.cv_results_[key], err_msg=key
            )


def test_search_workers_get_their_share_of_threads(X_small, monkeypatch):
    # joblib's loky backend limits each worker to max(cpu_count // n_jobs, 1)
    # threads unless the parent process sets the variable itself.
    for name in TORCH_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    n_jobs = 2
    share = max(joblib.cpu_count() // n_jobs, 1)

    search = make_recording_search().set_params(n_jobs=n_jobs).fit(X_small)

    pids = recorded(search.cv_results_, "pid")
    threads = recorded(search.cv_results_, "torch_threads")
    assert os.getpid() not in pids, "the fits ran in the test process, not in workers"
    assert threads.max() <= share, f"torch threads per worker {threads}, share {share}"


def test_inner_max_num_threads_overrides_parent_variables(X_small, monkeypatch):
    # A parent that sets the variables to every core passes them on to the
    # workers unchanged, and n_jobs workers then oversubscribe the machine.
    # parallel_config(inner_max_num_threads=...) sets the workers' value.
    for name in TORCH_THREAD_VARIABLES:
        monkeypatch.setenv(name, str(joblib.cpu_count()))
    n_jobs = 2
    share = max(joblib.cpu_count() // n_jobs, 1)

    with joblib.parallel_config(backend="loky", inner_max_num_threads=share):
        search = make_recording_search().set_params(n_jobs=n_jobs).fit(X_small)

    pids = recorded(search.cv_results_, "pid")
    threads = recorded(search.cv_results_, "torch_threads")
    assert os.getpid() not in pids, "the fits ran in the test process, not in workers"
    assert threads.max() <= share, f"torch threads per worker {threads}, share {share}"


def test_dask_search_matches_local_run(X_small, restored_environ):
    distributed = pytest.importorskip("distributed")
    local = make_recording_search().set_params(n_jobs=1).fit(X_small)

    # The cluster listens on the loopback interface only and has no
    # dashboard. The context managers close the client and stop the
    # worker processes even when the search fails.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            remote = make_recording_search().fit(X_small)
        worker_pids = set(client.run(os.getpid).values())

    np.testing.assert_array_equal(
        recorded(remote.cv_results_, "mmd"), recorded(local.cv_results_, "mmd")
    )
    assert set(recorded(remote.cv_results_, "pid")) <= worker_pids
    # The dask nanny starts each worker with OMP_NUM_THREADS and
    # MKL_NUM_THREADS set to 1 (distributed.nanny.pre-spawn-environ), whatever
    # the parent process sets.
    assert recorded(remote.cv_results_, "torch_threads").max() == 1
