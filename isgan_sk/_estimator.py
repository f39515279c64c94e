"""ImportanceSampledGAN: a GAN as a scikit-learn estimator."""

import contextlib
import numbers
import threading

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._losses import LOSSES, GANLoss, get_loss
from ._net import GANNet
from .metrics import median_bandwidth, mmd2
from .networks import MLPDiscriminator, MLPGenerator
from .sampling import ImportanceSampler, PairedImportanceSampler, TopKSampler, UniformSampler

__all__ = ["ImportanceSampledGAN"]

SAMPLERS = {
    "paired": PairedImportanceSampler,
    "uniform": UniformSampler,
    "importance": ImportanceSampler,
    "topk": TopKSampler,
}

# Parameters with these prefixes are routed by skorch to the component
# they name, for example ``generator__hidden_units`` to the generator's
# constructor and ``optimizer_discriminator__lr`` to its optimizer.
NET_PREFIXES = (
    "generator__",
    "discriminator__",
    "optimizer_generator__",
    "optimizer_discriminator__",
    "callbacks__",
)

# ``sample`` runs the generator on at most this many rows at once, which
# bounds its memory whatever ``n_samples`` is.
SAMPLE_CHUNK_SIZE = 4096

# ``score`` compares at most this many rows of X with as many generated
# rows; the MMD costs O(n^2) time and memory.
MAX_SCORE_ROWS = 2000


# torch has one global generator per process. Fits that run in threads of
# one process (joblib's threading backend, a Dask worker with several
# threads) would otherwise seed and restore it in turn and draw from each
# other's seeds, so the seeded sections run one at a time.
_GLOBAL_RNG_LOCK = threading.RLock()


def _check_n_samples(n_samples):
    if (
        not isinstance(n_samples, numbers.Integral)
        or isinstance(n_samples, bool)
        or n_samples < 0
    ):
        raise ValueError(
            "n_samples must be a non-negative integer. Got "
            f"{n_samples!r} instead; pass for example sample(100)."
        )
    return int(n_samples)


def _seed_from(random_state):
    """Return an int seed drawn from a ``random_state`` argument.

    ``None`` takes fresh entropy from the operating system, so neither
    NumPy's nor torch's global generator is read or advanced.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63 - 1))
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _check_scalable(X):
    """Reject finite values whose spread overflows float64, which scaling would turn into NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread_ok = np.isfinite(np.ptp(X, axis=0)) & np.isfinite(np.var(X, axis=0))
    if not np.all(spread_ok):
        feature = int(np.flatnonzero(~spread_ok)[0])
        raise ValueError(
            f"Feature {feature} of X has values too large to scale: its spread "
            f"overflows float64 (largest magnitude {np.max(np.abs(X[:, feature])):.3g}). "
            "Divide X by a constant, or take its logarithm, before fitting."
        )


def _one_hot(label_index, n_classes):
    """Return the one-hot rows of integer class indices, as float64."""
    return np.eye(n_classes)[label_index]


class ImportanceSampledGAN(BaseEstimator):
    """Generative adversarial network with importance-sampled discriminator batches.

    The estimator learns to generate rows that look like the rows of X.
    Each discriminator step takes its minibatch from the ``sampler``
    strategy. The default :class:`~isgan_sk.sampling.PairedImportanceSampler`
    pairs real and generated rows and draws the pairs with large loss
    gradients more often. Its weights keep the gradient unbiased, and the
    gradient's variance drops where the two distributions overlap.
    :class:`~isgan_sk.sampling.UniformSampler` is plain GAN training.

    The two networks are trained by a skorch net, ``net_``, so skorch
    callbacks, history and device handling apply.

    Parameters
    ----------
    generator : type or torch.nn.Module, default=MLPGenerator
        Generator class, called with ``latent_dim``, ``n_features`` and the
        ``generator__*`` parameters, or a module instance that is copied.
        It maps noise of shape (n, latent_dim) to rows of shape
        (n, n_features).
    discriminator : type or torch.nn.Module, default=MLPDiscriminator
        Discriminator class, called with ``n_features`` and the
        ``discriminator__*`` parameters, or a module instance that is
        copied. It returns one logit per row.
    sampler : {'paired', 'uniform', 'importance', 'topk'} or sampler object, \
            default='paired'
        Strategy that chooses the discriminator's minibatch: ``'paired'``
        is ``PairedImportanceSampler()``, ``'uniform'`` is
        ``UniformSampler()``, ``'importance'`` is ``ImportanceSampler()``,
        ``'topk'`` is ``TopKSampler()``, and any object with ``pool_size``
        and ``select`` methods is cloned in ``fit``. Nested parameters such as
        ``sampler__smoothing`` can be set and searched; on a string they
        first replace it by its default object.
    loss : {'bce', 'hinge', 'wasserstein'} or GANLoss, default='bce'
        Adversarial loss. ``'bce'`` is binary cross-entropy with the
        non-saturating generator loss, ``'hinge'`` the hinge loss, and
        ``'wasserstein'`` the Wasserstein loss with a gradient penalty of
        weight 10 on points between each pair's real and generated row.
    latent_dim : int, default=32
        Dimension of the generator's Gaussian noise.
    n_critic : int, default=1
        Discriminator steps per generator step.
    max_epochs : int, default=100
        Epochs of ``fit``. An epoch is ``ceil(n_samples / batch_size)``
        discriminator steps.
    batch_size : int, default=64
        Number of pairs in each discriminator minibatch and of generated
        rows in each generator minibatch.
    lr : float, default=2e-4
        Learning rate of both optimizers unless
        ``optimizer_generator__lr`` or ``optimizer_discriminator__lr`` is set.
    optimizer_generator, optimizer_discriminator : type, default=torch.optim.Adam
        Optimizer classes, called with the module's parameters, ``lr`` and
        the ``optimizer_generator__*`` or ``optimizer_discriminator__*``
        parameters. Adam's ``betas`` default to (0.5, 0.999).
    scaler : {'standard', 'minmax'}, default='standard'
        Scaling of X before training: per-feature standardisation or
        min-max scaling to [-1, 1]. ``sample`` undoes it.
    device : str or torch.device, default='cpu'
        Device of the networks, for example ``'cuda'``.
    random_state : int, RandomState instance or None, default=None
        Seed of the network initialisation, the training draws and the
        stream that ``sample`` uses when called without ``random_state``.
        With an int, two fits on the CPU give identical networks, history
        and samples. ``None`` takes fresh entropy; the global generators of
        NumPy and torch are never seeded or advanced.
    verbose : int, default=0
        0 prints nothing; 1 or more prints one line per epoch with the
        discriminator and generator losses.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks, as in :class:`skorch.NeuralNet`. They receive
        ``net_``; their parameters are set as ``callbacks__<name>__<key>``.
    warm_start : bool, default=False
        When True, ``fit`` on a fitted estimator continues training the
        current networks, with the scaling of the first fit.
    **kwargs
        Nested parameters with the prefixes ``generator__``,
        ``discriminator__``, ``optimizer_generator__``,
        ``optimizer_discriminator__`` and ``callbacks__``.

    Attributes
    ----------
    net_ : GANNet
        The fitted skorch net.
    generator_ : torch.nn.Module
        The fitted generator, on ``device``.
    discriminator_ : torch.nn.Module
        The fitted discriminator, on ``device``.
    history_ : skorch.History
        Per epoch: ``d_loss`` and ``g_loss`` (mean losses), ``ess`` and
        ``variance_ratio`` (the sampler's diagnostics), ``dur`` (seconds).
    sampler_ : sampler object
        The fitted clone of ``sampler``.
    loss_ : GANLoss
        The adversarial loss.
    scaler_ : StandardScaler or MinMaxScaler
        The scaling fitted on X.
    constant_features_ : ndarray of bool of shape (`n_features_in_`,)
        Features that are constant in X; ``sample`` returns their value.
    classes_ : ndarray of shape (n_classes,)
        Class labels, defined only for a GAN fitted with ``y``.
    class_prior_ : ndarray of shape (n_classes,)
        Frequency of each class in the training labels; ``sample`` draws
        classes with it when called without ``y``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, defined only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk import ImportanceSampledGAN
    >>> X = np.random.default_rng(0).normal(4.0, 1.25, size=(256, 1))
    >>> gan = ImportanceSampledGAN(max_epochs=5, random_state=0).fit(X)
    >>> gan.sample(3, random_state=0).shape
    (3, 1)
    >>> isinstance(gan.score(X), float)
    True
    """

    _parameter_constraints = {
        "generator": [callable],
        "discriminator": [callable],
        "sampler": [
            StrOptions(set(SAMPLERS)),
            HasMethods(["pool_size", "select", "get_params"]),
        ],
        "loss": [StrOptions(set(LOSSES)), GANLoss],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer_generator": [callable],
        "optimizer_discriminator": [callable],
        "scaler": [StrOptions({"standard", "minmax"})],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        generator=MLPGenerator,
        discriminator=MLPDiscriminator,
        sampler="paired",
        loss="bce",
        latent_dim=32,
        n_critic=1,
        max_epochs=100,
        batch_size=64,
        lr=2e-4,
        optimizer_generator=torch.optim.Adam,
        optimizer_discriminator=torch.optim.Adam,
        scaler="standard",
        device="cpu",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
        **kwargs,
    ):
        self.generator = generator
        self.discriminator = discriminator
        self.sampler = sampler
        self.loss = loss
        self.latent_dim = latent_dim
        self.n_critic = n_critic
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer_generator = optimizer_generator
        self.optimizer_discriminator = optimizer_discriminator
        self.scaler = scaler
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        # Nested parameters live in one private dict rather than as
        # attributes, because scikit-learn's checks allow only the named
        # constructor arguments as public attributes.
        self._net_params = dict(kwargs)

    def _nested_net_params(self):
        return dict(getattr(self, "_net_params", {}))

    def get_params(self, deep=True):
        """Get the parameters, including the nested ``generator__*``-style ones.

        Parameters
        ----------
        deep : bool, default=True
            If True, also return the parameters of a sampler object.

        Returns
        -------
        params : dict
        """
        params = super().get_params(deep=deep)
        params.update(self._nested_net_params())
        return params

    def set_params(self, **params):
        """Set parameters, nested ones included.

        ``generator__*``, ``discriminator__*``, ``optimizer_generator__*``,
        ``optimizer_discriminator__*`` and ``callbacks__*`` are stored as
        given and applied in ``fit``. ``sampler__*`` sets a parameter of
        the sampler object; a string sampler is replaced by its default
        object first.

        Returns
        -------
        self : ImportanceSampledGAN
        """
        net_params = {k: v for k, v in params.items() if k.startswith(NET_PREFIXES)}
        other_params = {k: v for k, v in params.items() if k not in net_params}

        if any(key.startswith("sampler__") for key in other_params):
            sampler = other_params.get("sampler", self.sampler)
            if isinstance(sampler, str) and sampler in SAMPLERS:
                other_params["sampler"] = SAMPLERS[sampler]()
                if "sampler" not in params:
                    self.sampler = other_params.pop("sampler")

        self._net_params = {**self._nested_net_params(), **net_params}
        super().set_params(**other_params)
        return self

    def _check_nested_params(self):
        unknown = sorted(
            key for key in self._nested_net_params() if not key.startswith(NET_PREFIXES)
        )
        if unknown:
            raise ValueError(
                f"Unknown parameters {unknown} of ImportanceSampledGAN. Nested "
                f"parameters must start with one of {list(NET_PREFIXES)}; set a "
                "sampler's parameters with set_params(sampler__<name>=...) or on "
                "the sampler object."
            )

    def _make_sampler(self):
        if isinstance(self.sampler, str):
            return SAMPLERS[self.sampler]()
        return clone(self.sampler)

    def _check_device(self):
        try:
            device = torch.device(self.device)
        except RuntimeError as error:
            raise ValueError(
                f"The 'device' parameter of ImportanceSampledGAN must name a torch "
                f"device such as 'cpu', 'cuda' or 'cuda:0'. Got {self.device!r} instead."
            ) from error
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} requests CUDA, but torch.cuda.is_available() "
                "is False on this machine. Use device='cpu' or install a CUDA build "
                "of PyTorch."
            )
        return device

    @contextlib.contextmanager
    def _fork_rng(self):
        # Module initialisation and any dropout in user modules draw from
        # torch's global generator. Forking it seeds those draws from
        # ``random_state`` and restores the caller's global state on exit.
        device = torch.device(self.device)
        devices = [device] if device.type != "cpu" else []
        with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices, device_type=device.type):
            yield

    def _initialize(self, X, y):
        device = self._check_device()
        seed_sequence = np.random.SeedSequence(_seed_from(self.random_state))
        init_seed, training_seed, sampling_seed = seed_sequence.generate_state(3, np.uint64)
        self._sampling_rng = np.random.default_rng(int(sampling_seed))

        _check_scalable(X)
        if self.scaler == "standard":
            self.scaler_ = StandardScaler()
        else:
            self.scaler_ = MinMaxScaler(feature_range=(-1.0, 1.0))
        self.scaler_.fit(X)
        self.constant_features_ = np.ptp(X, axis=0) == 0
        self._constant_values = X[0, self.constant_features_].astype(np.float64)

        if y is None:
            self.__dict__.pop("classes_", None)
            self.__dict__.pop("class_prior_", None)
            n_classes = 0
        else:
            self.classes_, counts = np.unique(y, return_counts=True)
            self.class_prior_ = counts / counts.sum()
            n_classes = len(self.classes_)

        self.sampler_ = self._make_sampler()
        self.loss_ = get_loss(self.loss)
        self.net_ = GANNet(
            self.generator,
            self.discriminator,
            sampler=self.sampler_,
            loss=self.loss_,
            latent_dim=self.latent_dim,
            n_features=X.shape[1],
            n_classes=n_classes,
            n_critic=self.n_critic,
            optimizer_generator=self.optimizer_generator,
            optimizer_discriminator=self.optimizer_discriminator,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            callbacks=self.callbacks,
            warm_start=True,
            verbose=self.verbose,
            device=device,
            seed=int(training_seed >> 1),
            **self._nested_net_params(),
        )
        # Callbacks such as SampleQualityScoring read these to compare
        # generated rows with data in the units and labels of X and y.
        self.net_.scaler_ = self.scaler_
        self.net_.classes_ = getattr(self, "classes_", None)
        with self._fork_rng():
            torch.manual_seed(int(init_seed >> 1))
            self.net_.initialize()

    def _scaled_tensor(self, X):
        X_scaled = self.scaler_.transform(X)
        return torch.as_tensor(X_scaled, dtype=torch.float32, device=self.net_.device)

    def _label_index(self, y):
        """Map class labels to their index in ``classes_``, rejecting unseen ones."""
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if np.any(unknown):
            raise ValueError(
                f"y contains labels {np.unique(np.asarray(y)[unknown]).tolist()} that "
                f"were not seen in fit; the known classes are {self.classes_.tolist()}."
            )
        return index

    def _train(self, X, y, epochs):
        X_tensor = self._scaled_tensor(X)
        labels = None
        if y is not None:
            labels = torch.as_tensor(self._label_index(y), device=self.net_.device)
        with self._fork_rng():
            torch.manual_seed(self.net_.seed + len(self.net_.history))
            self.net_.partial_fit(X_tensor, labels, epochs=epochs)

    def _validate_training_data(self, X, y, reset):
        """Validate X, and y as class labels when given."""
        if y is None:
            X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        else:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=reset)
            y = column_or_1d(y)
            target_type = type_of_target(y)
            if target_type not in ("binary", "multiclass"):
                raise ValueError(
                    f"Unknown label type: {target_type!r}. ImportanceSampledGAN "
                    "treats y as class labels for conditional generation. Pass "
                    "class labels, or call fit(X) without y for an unconditional GAN."
                )
        if not reset:
            conditional = hasattr(self, "classes_")
            if conditional != (y is not None):
                state = "with" if conditional else "without"
                raise ValueError(
                    f"This ImportanceSampledGAN was fitted {state} class labels y, so "
                    f"it must be trained further {state} them."
                )
        return X, y

    def fit(self, X, y=None):
        """Train the generator and the discriminator on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows. NumPy arrays, pandas DataFrames and nested lists
            of numbers work; integer input is converted to float.
        y : array-like of shape (n_samples,), default=None
            Class labels. With labels, the GAN is conditional: both
            networks receive the one-hot label, and ``sample`` can generate
            rows of a chosen class. Without, it is unconditional.

        Returns
        -------
        self : ImportanceSampledGAN
        """
        self._validate_params()
        self._check_nested_params()
        continue_training = self.warm_start and hasattr(self, "net_")
        X, y = self._validate_training_data(X, y, reset=not continue_training)
        if not continue_training:
            self._initialize(X, y)
        self._train(X, y, self.max_epochs)
        return self

    def partial_fit(self, X, y=None):
        """Train for one more epoch on X, initialising on the first call.

        The first call fits the scaling on X; later calls keep it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,), default=None
            Class labels, as in :meth:`fit`. Calls after the first must
            pass labels exactly when the first did.

        Returns
        -------
        self : ImportanceSampledGAN
        """
        first_call = not hasattr(self, "net_")
        if first_call:
            self._validate_params()
            self._check_nested_params()
        X, y = self._validate_training_data(X, y, reset=first_call)
        if first_call:
            self._initialize(X, y)
        self._train(X, y, epochs=1)
        return self

    @property
    def generator_(self):
        check_is_fitted(self, "net_")
        return self.net_.generator_

    @property
    def discriminator_(self):
        check_is_fitted(self, "net_")
        return self.net_.discriminator_

    @property
    def history_(self):
        check_is_fitted(self, "net_")
        return self.net_.history_

    def _sampling_generators(self, random_state):
        """Return the NumPy generator for labels and a torch generator for noise."""
        if random_state is None:
            rng = self._sampling_rng
        elif isinstance(random_state, np.random.Generator):
            rng = random_state
        else:
            rng = np.random.default_rng(_seed_from(random_state))
        return rng, torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))

    def _sample_labels(self, n_samples, y, rng):
        """Return the class index of each row to generate, or None if unconditional."""
        if not hasattr(self, "classes_"):
            if y is not None:
                raise ValueError(
                    "This ImportanceSampledGAN was fitted without class labels, so "
                    "sample() takes no y. Fit it with fit(X, y) to generate by class."
                )
            return None
        if y is None:
            return rng.choice(len(self.classes_), size=n_samples, p=self.class_prior_)
        y = np.asarray(y)
        if y.ndim == 0:
            y = np.full(n_samples, y[()])
        elif y.shape != (n_samples,):
            raise ValueError(
                f"y must be one class label or an array of n_samples={n_samples} "
                f"labels. Got an array of shape {y.shape}."
            )
        return self._label_index(y)

    def _generate_scaled(self, n_samples, label_index, noise_rng):
        generator = self.net_.generator_
        was_training = generator.training
        generator.eval()
        chunks = []
        try:
            with torch.no_grad():
                for start in range(0, n_samples, SAMPLE_CHUNK_SIZE):
                    size = min(SAMPLE_CHUNK_SIZE, n_samples - start)
                    z = torch.randn(size, self.latent_dim, generator=noise_rng)
                    labels = None
                    if label_index is not None:
                        labels = torch.as_tensor(label_index[start : start + size])
                    rows = self.net_.generate(z, labels)
                    chunks.append(rows.to("cpu", torch.float64).numpy())
        finally:
            generator.train(was_training)
        if not chunks:
            return np.empty((0, self.n_features_in_))
        return np.concatenate(chunks)

    def sample(self, n_samples=1, random_state=None, y=None):
        """Generate rows in the units of X.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows; 0 gives an empty array.
        random_state : int, RandomState instance, Generator or None, default=None
            Seed of the latent noise (and of the labels drawn when ``y`` is
            None for a conditional GAN). With ``None``, draws come from a
            stream that ``fit`` seeds from the estimator's ``random_state``
            and that advances with every call, so repeated calls return new
            rows, and the sequence of calls after a fit with an int seed is
            reproducible. With an int, the same rows come back every time.
        y : label or array-like of shape (n_samples,), default=None
            For a GAN fitted with labels: the class of every row, or one
            label for all rows. ``None`` draws the classes with their
            frequencies in the training data. Must stay None for an
            unconditional GAN.

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_features_in_`), dtype float64
        """
        check_is_fitted(self, "net_")
        n_samples = _check_n_samples(n_samples)
        label_rng, noise_rng = self._sampling_generators(random_state)
        label_index = self._sample_labels(n_samples, y, label_rng)
        X_scaled = self._generate_scaled(n_samples, label_index, noise_rng)
        if n_samples == 0:
            return X_scaled
        X_new = self.scaler_.inverse_transform(X_scaled)
        X_new[:, self.constant_features_] = self._constant_values
        return X_new

    def score(self, X, y=None):
        """Return the negative squared MMD between X and generated rows.

        The statistic is the unbiased estimate of the squared maximum mean
        discrepancy with an RBF kernel, computed in the estimator's scaled
        feature space, with the bandwidth set to the median distance
        between the rows of X. Its expectation is 0 when the generated
        distribution equals that of X and positive otherwise. The score is
        therefore higher for better models and close to 0 for a perfect
        one, which noise can push slightly above 0. X is compared with as
        many generated rows, at most 2000 of each. The generated rows and
        the subsample of X are drawn with the seed ``random_state`` (0 when
        it is not an int), so repeated calls on the same X return the same
        value.

        For a conditional GAN with labels ``y``, the generated rows carry
        the same labels and the MMD compares the joint distribution of rows
        and one-hot labels. Without ``y``, it generates classes with their
        training frequencies and compares the rows alone. An unconditional
        GAN ignores ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows, at least 2.
        y : array-like of shape (n_samples,), default=None
            Class labels of X, for a conditional GAN.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "net_")
        conditional = hasattr(self, "classes_") and y is not None
        if conditional:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=False)
            y = column_or_1d(y)
        else:
            X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        if X.shape[0] < 2:
            raise ValueError(
                f"score needs at least 2 rows of X to estimate the MMD. Got {X.shape[0]}."
            )
        seed = self.random_state if isinstance(self.random_state, numbers.Integral) else 0
        rng = np.random.default_rng(seed)
        if X.shape[0] > MAX_SCORE_ROWS:
            keep = rng.choice(X.shape[0], MAX_SCORE_ROWS, replace=False)
            X = X[keep]
            y = y[keep] if conditional else y
        X_scaled = self.scaler_.transform(X)
        generated = self.sample(X.shape[0], random_state=rng, y=y if conditional else None)
        generated = self.scaler_.transform(generated)
        if conditional:
            # Identical one-hot columns on both sides make the MMD compare
            # the class-conditional distributions, weighted by y.
            one_hot = _one_hot(self._label_index(y), len(self.classes_))
            X_scaled = np.hstack([X_scaled, one_hot])
            generated = np.hstack([generated, one_hot])
        return -mmd2(X_scaled, generated, bandwidth=median_bandwidth(X_scaled))

    def save_params(self, **kwargs):
        """Save networks, optimizers or history through ``net_.save_params``.

        Pass ``f_generator``, ``f_discriminator``, ``f_optimizer_generator``,
        ``f_optimizer_discriminator`` or ``f_history`` with a path or file.
        """
        check_is_fitted(self, "net_")
        self.net_.save_params(**kwargs)

    def load_params(self, **kwargs):
        """Load what :meth:`save_params` saved into a fitted estimator.

        Tensors are loaded with ``torch.load(weights_only=True)``, which
        does not run pickled code.
        """
        check_is_fitted(self, "net_")
        self.net_.load_params(**kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.non_deterministic = self.random_state is None
        return tags
