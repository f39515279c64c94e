import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.exceptions import DeviceWarning

from isgan_sk.callbacks import SampleQualityScoring
from isgan_sk.networks import MLPGenerator
from isgan_sk.persistence import load_model, save_model

from _small import make_small_gan


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class WideGenerator(MLPGenerator):
    """A generator class outside the default trusted modules."""


def plain_values(value, where="model"):
    """Yield the paths of values that are not tensors or plain Python types."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from plain_values(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from plain_values(item, f"{where}[{index}]")
    elif not (value is None or type(value) in (bool, int, float, str)) and not isinstance(
        value, torch.Tensor
    ):
        yield f"{where}: {type(value).__name__}"


@pytest.mark.parametrize(
    "params, labels",
    [
        ({}, None),
        ({"scaler": "minmax", "sampler": "uniform", "loss": "hinge"}, None),
        ({"random_state": None}, None),
        ({}, ["b", "a", "c"]),
    ],
)
def test_round_trip_samples_and_score(tmp_path, X_small, params, labels):
    y = None if labels is None else np.resize(labels, len(X_small))
    gan = make_small_gan(**params).fit(X_small, y)
    path = tmp_path / "gan.pt"

    save_model(gan, path)
    loaded = load_model(path)

    assert_array_equal(loaded.sample(20, random_state=3), gan.sample(20, random_state=3))
    assert loaded.score(X_small) == gan.score(X_small)
    assert list(loaded.history_) == list(gan.history_)
    assert loaded.get_params() == gan.get_params() | {"device": "cpu"}
    if labels is not None:
        assert_array_equal(loaded.classes_, gan.classes_)
        assert_array_equal(loaded.class_prior_, gan.class_prior_)
        assert_array_equal(loaded.sample(6, y="c"), gan.sample(6, y="c"))


def test_file_loads_with_weights_only(tmp_path, X_small):
    gan = make_small_gan(
        callbacks=[SampleQualityScoring(X_small, every=1, transform=np.asarray)]
    ).fit(X_small)
    save_model(gan, tmp_path / "gan.pt")

    model = torch.load(tmp_path / "gan.pt", weights_only=True)

    assert list(plain_values(model)) == []
    assert model["format_version"] == 1
    assert model["params"]["generator"]["name"] == "isgan_sk.networks.MLPGenerator"


def test_round_trip_keeps_callback_params(tmp_path, X_small):
    scoring = SampleQualityScoring(X_small, every=1, patience=3, transform=np.asarray)
    gan = make_small_gan(callbacks=[scoring]).fit(X_small)
    save_model(gan, tmp_path / "gan.pt")

    (loaded_scoring,) = load_model(tmp_path / "gan.pt", trusted_modules=["numpy"]).callbacks

    assert type(loaded_scoring) is SampleQualityScoring
    assert_array_equal(loaded_scoring.X_valid, X_small)
    assert loaded_scoring.patience == 3
    assert loaded_scoring.transform is np.asarray


def test_round_trip_feature_names(tmp_path, X_small):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(X_small, columns=["height", "weight"])
    gan = make_small_gan().fit(frame)
    save_model(gan, tmp_path / "gan.pt")

    loaded = load_model(tmp_path / "gan.pt")

    assert_array_equal(loaded.feature_names_in_, ["height", "weight"])
    assert loaded.score(frame) == gan.score(frame)


def test_round_trip_continues_streams(tmp_path, X_small):
    gan = make_small_gan(random_state=None).fit(X_small)
    save_model(gan, tmp_path / "gan.pt")
    loaded = load_model(tmp_path / "gan.pt")

    # Sampling without a seed continues the saved sampling stream.
    assert_array_equal(loaded.sample(5), gan.sample(5))

    gan.partial_fit(X_small)
    loaded.partial_fit(X_small)

    assert_array_equal(loaded.sample(20, random_state=0), gan.sample(20, random_state=0))
    assert loaded.history_[-1, "d_loss"] == gan.history_[-1, "d_loss"]


def test_round_trip_metadata(tmp_path, X_small):
    gan = make_small_gan().fit(X_small)
    save_model(gan, tmp_path / "gan.pt", metadata={"columns": ["a", "b"], "rows": 96})

    _, metadata = load_model(tmp_path / "gan.pt", return_metadata=True)

    assert metadata == {"columns": ["a", "b"], "rows": 96}


def test_untrusted_class_raises(tmp_path, X_small):
    gan = make_small_gan(generator=WideGenerator).fit(X_small)
    save_model(gan, tmp_path / "gan.pt")
    module = WideGenerator.__module__

    with pytest.raises(ValueError, match=f"'{module}.WideGenerator'.*trusted_modules=\\['"):
        load_model(tmp_path / "gan.pt")

    loaded = load_model(tmp_path / "gan.pt", trusted_modules=[module])
    assert type(loaded.generator_) is WideGenerator
    assert_array_equal(loaded.sample(5, random_state=0), gan.sample(5, random_state=0))


def test_save_generator_instance_raises(tmp_path, X_small):
    gan = make_small_gan(generator=MLPGenerator(4, 2, hidden_units=(8,))).fit(X_small)

    with pytest.raises(TypeError, match="needs the generator as a class"):
        save_model(gan, tmp_path / "gan.pt")


def test_save_lambda_raises(tmp_path, X_small):
    scoring = SampleQualityScoring(X_small, every=1, transform=lambda X: X)
    gan = make_small_gan(callbacks=[scoring]).fit(X_small)

    with pytest.raises(TypeError, match="cannot be saved by name"):
        save_model(gan, tmp_path / "gan.pt")


def record_cuda_device(path):
    """Rewrite a model file as if it had been saved with device='cuda'."""
    model = torch.load(path, weights_only=True)
    model["device"] = "cuda"
    model["params"]["device"] = "cuda"
    torch.save(model, path)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without CUDA")
def test_cuda_model_loads_on_cpu(tmp_path, X_small):
    gan = make_small_gan().fit(X_small)
    save_model(gan, tmp_path / "gan.pt")
    record_cuda_device(tmp_path / "gan.pt")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explicit = load_model(tmp_path / "gan.pt", device="cpu")
    with pytest.warns(DeviceWarning, match="saved on 'cuda'.*loaded on the CPU"):
        implicit = load_model(tmp_path / "gan.pt")

    for loaded in (explicit, implicit):
        assert loaded.device == "cpu"
        assert loaded.generator_.output_layer.weight.device.type == "cpu"
        assert_array_equal(loaded.sample(5, random_state=0), gan.sample(5, random_state=0))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without CUDA")
def test_cuda_device_without_cuda_raises(tmp_path, X_small):
    gan = make_small_gan().fit(X_small)
    save_model(gan, tmp_path / "gan.pt")

    with pytest.raises(ValueError, match="device='cuda', but torch.cuda.is_available"):
        load_model(tmp_path / "gan.pt", device="cuda")


class Payload:
    """An object that weights_only loading must reject."""


@pytest.mark.parametrize(
    "content, message",
    [
        ({"weights": torch.zeros(2)}, "is not an isgan_sk model file; write one"),
        (Payload(), "weights_only=True failed"),
    ],
)
def test_foreign_file_raises(tmp_path, content, message):
    torch.save(content, tmp_path / "other.pt")

    with pytest.raises(ValueError, match=message):
        load_model(tmp_path / "other.pt")


def test_pickle_file_raises(tmp_path):
    (tmp_path / "other.pkl").write_bytes(pickle.dumps(Payload(), protocol=2))

    with pytest.raises(ValueError, match="weights_only=True failed"):
        load_model(tmp_path / "other.pkl")


def test_other_format_version_raises(tmp_path, X_small):
    gan = make_small_gan().fit(X_small)
    save_model(gan, tmp_path / "gan.pt")
    model = torch.load(tmp_path / "gan.pt", weights_only=True)
    model["format_version"] = 99
    torch.save(model, tmp_path / "gan.pt")

    with pytest.raises(ValueError, match="format version 99, but this version .* reads"):
        load_model(tmp_path / "gan.pt")


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pt' not found"):
        load_model(tmp_path / "missing.pt")
