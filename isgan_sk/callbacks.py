"""skorch callbacks for ImportanceSampledGAN."""

import numbers

import numpy as np
import torch
from skorch.callbacks import Callback

from .metrics import median_bandwidth, mmd2

__all__ = ["SampleQualityScoring"]


def _mmd2(X_real, X_generated):
    """Squared MMD with the median-distance bandwidth of the real rows, as ``score`` uses."""
    return mmd2(X_real, X_generated, bandwidth=median_bandwidth(X_real))


METRICS = {"mmd2": _mmd2}


class SampleQualityScoring(Callback):
    """Score generated rows against validation rows during training.

    Every ``every`` epochs the callback generates rows with the net's
    generator, compares them with ``X_valid`` and records the score in the
    history under ``name``, with ``{name}_best`` True at each new best.
    It can stop training after ``patience`` scores without improvement and
    restore the weights of the best scored epoch at the end of training.

    The comparison happens in the estimator's scaled feature space, where
    the generator works: ``X_valid`` is given in the units of X and mapped
    with the scaler that the estimator fitted, or with ``transform``.

    Parameters
    ----------
    X_valid : array-like of shape (n_valid, n_features)
        Validation rows, in the units of the X passed to ``fit``.
    y_valid : array-like of shape (n_valid,), default=None
        Class labels of ``X_valid``, required for a conditional GAN. The
        generated rows carry the same labels, and one-hot label columns are
        appended to both sides before the metric, as in
        :meth:`ImportanceSampledGAN.score <isgan_sk.ImportanceSampledGAN.score>`.
    metric : 'mmd2' or callable, default='mmd2'
        ``'mmd2'`` is the unbiased squared MMD with an RBF kernel whose
        bandwidth is the median distance between the validation rows. A
        callable is called as ``metric(X_real, X_generated)`` on scaled
        NumPy arrays and returns a float.
    lower_is_better : bool, default=True
        Whether a lower score is better; True for ``'mmd2'``.
    every : int, default=5
        Score after every ``every``-th epoch, counted over the whole
        history (epochs 5, 10, ... by default).
    n_samples : int, default=None
        Number of rows to generate; None generates as many as ``X_valid``
        has.
    name : str, default='sample_score'
        Key of the score in the history. skorch names the callback itself
        ``SampleQualityScoring``, so its parameters are set as
        ``callbacks__SampleQualityScoring__<param>``, or as
        ``callbacks__<key>__<param>`` when it is passed as a
        ``(key, callback)`` tuple.
    random_state : int or None, default=0
        Seed of the latent noise. With an int every evaluation uses the
        same noise, so scores of different epochs differ only by the
        weights. None draws fresh noise each time.
    patience : int, default=None
        Stop training after this many scores in a row without
        improvement. None never stops.
    restore_best : bool, default=True
        At the end of each training run, load the generator and
        discriminator weights of the best scored epoch. An unscored last
        epoch is scored first, so that it can win. With ``partial_fit``
        every call is a training run, so training continues from the best
        weights so far; pass False to continue from the latest weights.
    transform : callable, object with ``transform``, or None, default=None
        Maps ``X_valid`` from the units of X to the generator's scaled
        space. None uses the fitted scaler that the estimator stores on its
        net as ``scaler_``.

    Attributes
    ----------
    best_score_ : float or None
        Best score so far.
    best_epoch_ : int or None
        Epoch of ``best_score_``, counted from 1.
    n_misses_ : int
        Scores in a row without improvement.
    stopped_epoch_ : int or None
        Epoch after which ``patience`` stopped training, else None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from isgan_sk import ImportanceSampledGAN
    >>> from isgan_sk.callbacks import SampleQualityScoring
    >>> X = np.random.default_rng(0).normal(size=(128, 2))
    >>> scaler = StandardScaler().fit(X)
    >>> scoring = SampleQualityScoring(X[:64], every=2, transform=scaler.transform)
    >>> gan = ImportanceSampledGAN(max_epochs=4, callbacks=[scoring], random_state=0)
    >>> gan = gan.fit(X)
    >>> [row["epoch"] for row in gan.history_ if "sample_score" in row]
    [2, 4]
    """

    def __init__(
        self,
        X_valid,
        y_valid=None,
        metric="mmd2",
        lower_is_better=True,
        every=5,
        n_samples=None,
        name="sample_score",
        random_state=0,
        patience=None,
        restore_best=True,
        transform=None,
    ):
        self.X_valid = X_valid
        self.y_valid = y_valid
        self.metric = metric
        self.lower_is_better = lower_is_better
        self.every = every
        self.n_samples = n_samples
        self.name = name
        self.random_state = random_state
        self.patience = patience
        self.restore_best = restore_best
        self.transform = transform

    def initialize(self):
        self.best_score_ = None
        self.best_epoch_ = None
        self.n_misses_ = 0
        self.stopped_epoch_ = None
        self.best_weights_ = None
        return self

    def _check_params(self):
        def check_int(value, name, allow_none):
            if value is None and allow_none:
                return
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                expected = "an int >= 1" + (" or None" if allow_none else "")
                raise ValueError(
                    f"The '{name}' parameter of SampleQualityScoring must be "
                    f"{expected}. Got {value!r} instead."
                )

        check_int(self.every, "every", allow_none=False)
        check_int(self.n_samples, "n_samples", allow_none=True)
        check_int(self.patience, "patience", allow_none=True)
        if not callable(self.metric) and self.metric not in METRICS:
            raise ValueError(
                "The 'metric' parameter of SampleQualityScoring must be one of "
                f"{sorted(METRICS)} or a callable(X_real, X_generated) -> float. "
                f"Got {self.metric!r} instead."
            )

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._check_params()
        self.stopped_epoch_ = None
        if getattr(net, "n_classes", 0) and self.y_valid is None:
            raise ValueError(
                "SampleQualityScoring needs y_valid for a GAN fitted with class "
                "labels. Pass the labels of X_valid as y_valid."
            )

    def _scaled_valid(self, net):
        X_valid = np.asarray(self.X_valid, dtype=np.float64)
        transform = self.transform
        if transform is None:
            transform = getattr(net, "scaler_", None)
            if transform is None:
                raise ValueError(
                    "SampleQualityScoring cannot map X_valid to the generator's "
                    "scaled space, because the net has no 'scaler_'. Pass "
                    "transform=<fitted scaler>.transform, or a function that "
                    "scales X_valid as the estimator scales X."
                )
        if hasattr(transform, "transform"):
            transform = transform.transform
        return np.asarray(transform(X_valid), dtype=np.float64)

    def _label_index(self, net):
        classes = getattr(net, "classes_", None)
        if classes is None:
            raise ValueError(
                "SampleQualityScoring cannot map y_valid to class indices, because "
                "the net has no 'classes_'."
            )
        y_valid = np.asarray(self.y_valid)
        index = np.clip(np.searchsorted(classes, y_valid), 0, len(classes) - 1)
        if np.any(classes[index] != y_valid):
            raise ValueError(
                f"y_valid contains labels that were not seen in fit; the known "
                f"classes are {np.asarray(classes).tolist()}."
            )
        return index

    def _generate(self, net, n_samples, label_index):
        if self.random_state is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        else:
            seed = int(self.random_state)
        noise_rng = torch.Generator().manual_seed(seed)
        latent = torch.randn(n_samples, net.latent_dim, generator=noise_rng)
        labels = None if label_index is None else torch.as_tensor(label_index)

        generator = net.generator_
        was_training = generator.training
        generator.eval()
        try:
            with torch.no_grad():
                rows = net.generate(latent, labels)
        finally:
            generator.train(was_training)
        return rows.to("cpu", torch.float64).numpy()

    def compute_score(self, net):
        """Return the metric between the scaled validation rows and generated rows."""
        X_real = self._scaled_valid(net)
        n_samples = len(X_real) if self.n_samples is None else self.n_samples
        label_index = None
        if self.y_valid is not None and getattr(net, "n_classes", 0):
            label_index = self._label_index(net)
            if self.n_samples is not None:
                label_index = np.resize(label_index, n_samples)
        X_generated = self._generate(net, n_samples, label_index)

        if label_index is not None:
            # Identical one-hot columns on both sides make the metric
            # compare the class-conditional distributions.
            eye = np.eye(net.n_classes)
            X_real = np.hstack([X_real, eye[self._label_index(net)]])
            X_generated = np.hstack([X_generated, eye[label_index]])
        metric = METRICS.get(self.metric) if isinstance(self.metric, str) else self.metric
        return float(metric(X_real, X_generated))

    def _is_better(self, score):
        if self.best_score_ is None:
            return True
        if self.lower_is_better:
            return score < self.best_score_
        return score > self.best_score_

    def _record(self, net):
        """Score the latest epoch and record it; return whether it is a new best."""
        score = self.compute_score(net)
        improved = self._is_better(score)
        net.history.record(self.name, score)
        net.history.record(f"{self.name}_best", improved)
        if improved:
            self.best_score_ = score
            self.best_epoch_ = len(net.history)
            self.n_misses_ = 0
            if self.restore_best:
                self.best_weights_ = {
                    key: {
                        name: tensor.detach().clone()
                        for name, tensor in getattr(net, key).state_dict().items()
                    }
                    for key in ("generator_", "discriminator_")
                }
        else:
            self.n_misses_ += 1
        return improved

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every != 0:
            return
        self._record(net)
        if self.patience is not None and self.n_misses_ >= self.patience:
            self.stopped_epoch_ = epoch
            # GANNet's loop ends after this epoch and still stores its
            # random stream, so a later partial_fit continues it.
            net.stop_training_ = True

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if not self.restore_best or not len(net.history):
            return
        if self.stopped_epoch_ is None and self.name not in net.history[-1]:
            self._record(net)
        if self.best_weights_ is not None and self.best_epoch_ != len(net.history):
            net.generator_.load_state_dict(self.best_weights_["generator_"])
            net.discriminator_.load_state_dict(self.best_weights_["discriminator_"])
