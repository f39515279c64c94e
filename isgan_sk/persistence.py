"""Save and load fitted estimators without pickled code.

:func:`save_model` writes a fitted :class:`~isgan_sk.ImportanceSampledGAN`
as a ``torch.save`` dict that contains only tensors and plain Python
values (None, bool, int, float, str, tuple, list and dict). Classes and
functions, such as the generator class or the optimizer, are stored as
their dotted names. ``torch.load(path, weights_only=True)`` therefore
reads the file without running code from it, and :func:`load_model`
imports the named classes only from an allow-list of modules.

A model file contains:

- both networks' ``state_dict`` and both optimizers' ``state_dict``;
- the training history as lists and dicts of plain values;
- the estimator's parameters, and the sampler as its class name and
  ``get_params()`` with its fitted counters;
- the scaler's statistics, the constant features, ``classes_``,
  ``class_prior_`` and ``feature_names_in_``;
- the states of the sampling stream and of the training stream, so that
  ``sample()`` without a seed and further ``partial_fit`` calls continue
  as they would have in the saved estimator;
- the format name and version.

The state of callbacks (for example the best weights that
:class:`~isgan_sk.callbacks.SampleQualityScoring` keeps) is not saved: a
loaded estimator has its callbacks with their parameters, freshly
initialised.
"""

import importlib
import numbers
import os
import warnings

import numpy as np
import torch
from skorch.exceptions import DeviceWarning
from skorch.history import History
from sklearn.utils.validation import check_is_fitted

from ._estimator import ImportanceSampledGAN
from ._losses import GANLoss

__all__ = ["DEFAULT_TRUSTED_MODULES", "load_model", "save_model"]

FORMAT = "isgan_sk.ImportanceSampledGAN"
FORMAT_VERSION = 1

# Modules whose classes and functions load_model imports by default:
# this package, torch's optimizers and torch's modules.
DEFAULT_TRUSTED_MODULES = ("isgan_sk", "torch.optim", "torch.nn")

# Key that marks a dict standing for a value that is not a plain type.
TYPE_KEY = "__isgan_sk_type__"


def _dotted_name(obj, where):
    """Return ``module.qualname`` of a class or function that can be imported by name."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname or module == "__main__":
        raise TypeError(
            f"{where} is {obj!r}, which cannot be saved by name. Use a class or "
            "function defined at the top level of an importable module."
        )
    return f"{module}.{qualname}"


def _is_trusted(name, trusted_modules):
    return any(name == module or name.startswith(module + ".") for module in trusted_modules)


def _import_by_name(name, trusted_modules):
    """Import ``name`` after checking it against ``trusted_modules``.

    The check comes first, because importing a module runs its code.
    """
    if not _is_trusted(name, trusted_modules):
        top_level = name.split(".")[0]
        raise ValueError(
            f"The model file names {name!r}, which load_model does not import "
            f"because it is outside the trusted modules {list(trusted_modules)}. "
            "If you trust the file and the module, pass "
            f"trusted_modules=[{top_level!r}] to load_model."
        )
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            break
        return obj
    raise ValueError(f"The model file names {name!r}, which cannot be imported.")


def _encode(value, where):
    """Convert a parameter value to tensors and plain types, or raise TypeError."""
    # NumPy scalars come first: np.float64 is a subclass of float, but
    # weights_only=True rejects it.
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return value.item()
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, tuple):
        return tuple(_encode(item, where) for item in value)
    if isinstance(value, list):
        return [_encode(item, where) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"{where} is a dict with keys that are not strings.")
        return {key: _encode(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {TYPE_KEY: "ndarray", "data": torch.from_numpy(value.copy())}
        return {TYPE_KEY: "ndarray", "list": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, np.random.RandomState):
        name, keys, position, has_gauss, cached_gaussian = value.get_state()
        state = [name, torch.from_numpy(keys.astype(np.int64)), position, has_gauss]
        return {TYPE_KEY: "RandomState", "state": (*state, cached_gaussian)}
    if isinstance(value, type) or callable(value) and not hasattr(value, "get_params"):
        if not isinstance(value, type) and not hasattr(value, "__qualname__"):
            raise TypeError(
                f"{where} is an instance of {type(value).__name__}, which cannot be "
                "saved. Pass a class or a function defined in a module instead."
            )
        return {TYPE_KEY: "import", "name": _dotted_name(value, where)}
    if hasattr(value, "get_params"):
        return {
            TYPE_KEY: "object",
            "class": _dotted_name(type(value), where),
            "params": _encode(value.get_params(deep=False), f"{where}.get_params()"),
        }
    if isinstance(value, GANLoss):
        return {
            TYPE_KEY: "object",
            "class": _dotted_name(type(value), where),
            "params": _encode(vars(value), where),
        }
    raise TypeError(
        f"{where} is an instance of {type(value).__name__}, which save_model cannot "
        "store as tensors and plain types. Pass a class, a number, a string or an "
        "object with get_params()."
    )


def _decode(value, trusted_modules):
    if isinstance(value, tuple):
        return tuple(_decode(item, trusted_modules) for item in value)
    if isinstance(value, list):
        return [_decode(item, trusted_modules) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(TYPE_KEY)
    if kind is None:
        return {key: _decode(item, trusted_modules) for key, item in value.items()}
    if kind == "ndarray":
        if "data" in value:
            return value["data"].numpy()
        return np.asarray(value["list"], dtype=np.dtype(value["dtype"]))
    if kind == "RandomState":
        name, keys, position, has_gauss, cached_gaussian = value["state"]
        random_state = np.random.RandomState()
        random_state.set_state(
            (name, keys.numpy().astype(np.uint32), position, has_gauss, cached_gaussian)
        )
        return random_state
    if kind == "import":
        return _import_by_name(value["name"], trusted_modules)
    if kind == "object":
        cls = _import_by_name(value["class"], trusted_modules)
        return cls(**_decode(value["params"], trusted_modules))
    raise ValueError(f"The model file contains a value of unknown type {kind!r}.")


def _to_cpu(state):
    """Return a copy of a nested state dict with every tensor on the CPU."""
    if isinstance(state, torch.Tensor):
        return state.detach().cpu()
    if isinstance(state, dict):
        return {key: _to_cpu(item) for key, item in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_to_cpu(item) for item in state)
    return state


def _plain_history(history):
    """Return the history as lists and dicts of numbers, strings and bools."""

    def convert(value, where):
        if isinstance(value, dict):
            return {key: convert(item, f"{where}[{key!r}]") for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(item, where) for item in value]
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().tolist()
        if value is None or isinstance(value, (bool, str, numbers.Number)):
            return value
        raise TypeError(
            f"The history entry {where} is an instance of {type(value).__name__}; "
            "save_model stores only numbers, strings, bools and lists of them."
        )

    return [convert(row, f"history[{index}]") for index, row in enumerate(history)]


def _fitted_attributes(obj):
    """Return the plain fitted attributes (names ending in ``_``) of a scaler or sampler."""
    return {
        key: value
        for key, value in vars(obj).items()
        if key.endswith("_") and not key.startswith("_")
    }


def save_model(estimator, path, *, metadata=None):
    """Save a fitted ImportanceSampledGAN as tensors and plain values.

    Parameters
    ----------
    estimator : ImportanceSampledGAN
        A fitted estimator. Its generator and discriminator must be given
        as classes (the default :class:`~isgan_sk.networks.MLPGenerator` and
        :class:`~isgan_sk.networks.MLPDiscriminator`, or any class that can
        be imported by its dotted name), not as module instances.
    path : str or os.PathLike
        File to write.
    metadata : dict, default=None
        Extra values to store with the model, such as column names. Keys
        must be strings and values plain types, arrays or tensors. Read
        them back with ``load_model(path, return_metadata=True)``.

    Raises
    ------
    TypeError
        If a parameter cannot be stored as tensors and plain types, for
        example a lambda, a module instance or a class defined in
        ``__main__``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from isgan_sk import ImportanceSampledGAN
    >>> from isgan_sk.persistence import load_model, save_model
    >>> X = np.random.default_rng(0).normal(size=(64, 2))
    >>> gan = ImportanceSampledGAN(max_epochs=1, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "gan.pt")
    >>> save_model(gan, path)
    >>> loaded = load_model(path)
    >>> bool((loaded.sample(5, random_state=1) == gan.sample(5, random_state=1)).all())
    True
    """
    check_is_fitted(estimator, "net_")
    net = estimator.net_
    for name in ("generator", "discriminator"):
        if isinstance(getattr(estimator, name), torch.nn.Module):
            raise TypeError(
                f"save_model needs the {name} as a class, but it is an instance of "
                f"{type(getattr(estimator, name)).__name__}. Pass {name}=<class> and "
                f"set its arguments as {name}__<name>=..., then fit again."
            )

    conditional = hasattr(estimator, "classes_")
    fitted = {
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": _encode(getattr(estimator, "feature_names_in_", None), "names"),
        "scaler": _encode(_fitted_attributes(estimator.scaler_), "scaler_"),
        "constant_features": torch.from_numpy(np.asarray(estimator.constant_features_)),
        "constant_values": torch.from_numpy(np.asarray(estimator._constant_values)),
        "classes": _encode(estimator.classes_, "classes_") if conditional else None,
        "class_prior": _encode(estimator.class_prior_, "class_prior_") if conditional else None,
        "sampler": _encode(_fitted_attributes(estimator.sampler_), "sampler_"),
        "sampling_stream": estimator._sampling_rng.bit_generator.state,
    }
    training = {
        "seed": int(net.seed),
        # The training stream and the step count continue across partial_fit
        # calls, so a loaded estimator trains on exactly as the saved one.
        "rng_state": getattr(net, "_rng_state", None),
        "n_discriminator_steps": int(getattr(net, "_n_discriminator_steps", 0)),
        "generator": _to_cpu(net.generator_.state_dict()),
        "discriminator": _to_cpu(net.discriminator_.state_dict()),
        "optimizer_generator": _to_cpu(net.optimizer_generator_.state_dict()),
        "optimizer_discriminator": _to_cpu(net.optimizer_discriminator_.state_dict()),
        "history": _plain_history(net.history),
    }
    model = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "device": str(torch.device(estimator.device)),
        "params": _encode(estimator.get_params(deep=False), "the parameter"),
        "fitted": fitted,
        "training": training,
        "metadata": _encode(dict(metadata or {}), "metadata"),
    }
    torch.save(model, path)


def _check_device(device, recorded_device, path):
    """Return the device to load on, warning when a recorded CUDA device is missing."""
    if device is None:
        device = torch.device(recorded_device)
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"The model in {os.fspath(path)!r} was saved on {recorded_device!r}, "
                "but CUDA is not available here, so it is loaded on the CPU. Pass "
                "device='cpu' to load_model to silence this warning.",
                DeviceWarning,
                stacklevel=3,
            )
            device = torch.device("cpu")
        return device
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"load_model was called with device={str(device)!r}, but "
            "torch.cuda.is_available() is False on this machine. Pass device='cpu' "
            "or install a CUDA build of PyTorch."
        )
    return device


def _read(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Model file {os.fspath(path)!r} not found.")
    # map_location='cpu' reads tensors saved on any device, CUDA included,
    # on a machine without it; load_state_dict then copies the weights and
    # the optimizer states onto the networks' device.
    try:
        model = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a foreign file
        raise ValueError(
            f"{os.fspath(path)!r} is not an isgan_sk model file: torch.load with "
            f"weights_only=True failed ({type(error).__name__}: {error})."
        ) from error
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ValueError(
            f"{os.fspath(path)!r} is not an isgan_sk model file; write one with "
            "isgan_sk.persistence.save_model."
        )
    if model.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"The model file {os.fspath(path)!r} has format version "
            f"{model.get('format_version')!r}, but this version of isgan_sk reads "
            f"version {FORMAT_VERSION}. Fit and save the model again."
        )
    return model


def _restore_fitted(estimator, fitted, trusted_modules):
    """Build the net of ``estimator`` and overwrite its state with the saved one."""
    n_features = fitted["n_features_in"]
    classes = _decode(fitted["classes"], trusted_modules)

    # The estimator builds its scaler, sampler, loss and net in
    # ``_initialize``. Rows of zeros, with every class for a conditional
    # GAN, give it the right shapes, and the saved state replaces the rest.
    n_rows = 2 if classes is None else max(2, len(classes))
    y = None if classes is None else np.resize(classes, n_rows)
    estimator._validate_params()
    estimator._check_nested_params()
    estimator._initialize(np.zeros((n_rows, n_features)), y)

    estimator.n_features_in_ = n_features
    feature_names = _decode(fitted["feature_names_in"], trusted_modules)
    if feature_names is not None:
        estimator.feature_names_in_ = feature_names
    for key, value in _decode(fitted["scaler"], trusted_modules).items():
        setattr(estimator.scaler_, key, value)
    estimator.constant_features_ = fitted["constant_features"].numpy()
    estimator._constant_values = fitted["constant_values"].numpy()
    if classes is not None:
        estimator.classes_ = classes
        estimator.class_prior_ = _decode(fitted["class_prior"], trusted_modules)
    for key, value in _decode(fitted["sampler"], trusted_modules).items():
        setattr(estimator.sampler_, key, value)
    estimator._sampling_rng.bit_generator.state = fitted["sampling_stream"]


def _restore_training(net, training):
    net.generator_.load_state_dict(training["generator"])
    net.discriminator_.load_state_dict(training["discriminator"])
    net.optimizer_generator_.load_state_dict(training["optimizer_generator"])
    net.optimizer_discriminator_.load_state_dict(training["optimizer_discriminator"])
    net.history = History(training["history"])
    net.seed = training["seed"]
    net._rng_state = training["rng_state"]
    net._n_discriminator_steps = training["n_discriminator_steps"]


def load_model(path, device=None, *, trusted_modules=(), return_metadata=False):
    """Load an ImportanceSampledGAN written by :func:`save_model`.

    The file is read with ``torch.load(weights_only=True)``, which does not
    run pickled code, and classes named in it are imported only from
    ``isgan_sk``, ``torch.optim``, ``torch.nn`` and ``trusted_modules``.
    The loaded estimator returns the same ``sample(n, random_state=seed)``
    rows and the same ``score`` as the saved one on the same device, and
    ``partial_fit`` continues its training streams.

    Parameters
    ----------
    path : str or os.PathLike
        Model file.
    device : str, torch.device or None, default=None
        Device of the loaded networks. None uses the device the model was
        saved with, or the CPU with a :class:`skorch.exceptions.DeviceWarning`
        when that is a CUDA device and CUDA is not available. An explicit
        ``'cpu'`` loads a CUDA model on the CPU without a warning.
    trusted_modules : sequence of str, default=()
        Further modules (and their submodules) whose classes and functions
        may be imported, for example ``['mypackage']`` for a generator
        class ``mypackage.nets.ConvGenerator``. Add only modules you trust,
        because importing a module runs its code.
    return_metadata : bool, default=False
        If True, also return the ``metadata`` dict passed to
        :func:`save_model`.

    Returns
    -------
    estimator : ImportanceSampledGAN
        The fitted estimator, with its ``device`` parameter set to the
        device it was loaded on.
    metadata : dict
        Only when ``return_metadata`` is True.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a model file of this format version, names a
        class outside the trusted modules, or ``device`` requests CUDA on a
        machine without it.
    """
    trusted_modules = (*DEFAULT_TRUSTED_MODULES, *trusted_modules)
    model = _read(path)
    device = _check_device(device, model["device"], path)

    params = _decode(model["params"], trusted_modules)
    params["device"] = str(device)
    estimator = ImportanceSampledGAN(**params)
    _restore_fitted(estimator, model["fitted"], trusted_modules)
    _restore_training(estimator.net_, model["training"])

    # ``_initialize`` drew a seed from a RandomState ``random_state``; the
    # loaded estimator gets it back in its saved state.
    if isinstance(params["random_state"], np.random.RandomState):
        estimator.random_state = _decode(model["params"]["random_state"], trusted_modules)

    if return_metadata:
        return estimator, _decode(model["metadata"], trusted_modules)
    return estimator
