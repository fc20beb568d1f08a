"""Models load from the local folder only, and say which file is missing."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import torch
from demucs.apply import BagOfModels
from demucs.hdemucs import HDemucs
from demucs.htdemucs import HTDemucs
from demucs.states import save_with_checksum

from engine.separation import (
    ModelFilesInvalid,
    ModelWeightsMissing,
    install_model_files,
    load_separation_model,
    random_htdemucs,
)
from tests.engine.separation.conftest import seeded


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"separation tried to reach the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def package(model: torch.nn.Module) -> dict[str, Any]:
    """A model saved the way demucs publishes weights."""
    args, kwargs = model._init_args_kwargs  # type: ignore[misc]
    return {"klass": type(model), "args": args, "kwargs": kwargs, "state": model.state_dict()}


def test_missing_htdemucs_names_the_released_file_and_how_to_install(tmp_path: Path) -> None:
    models = tmp_path / "var" / "models"
    for _ in range(2):  # a missing folder, then an empty one
        with pytest.raises(ModelWeightsMissing) as caught:
            load_separation_model("htdemucs", models)
        assert str(caught.value) == (
            f"Separation model 'htdemucs' needs {models}/955717e8-8726e21a.th. "
            "Copy the weights there or run `refrain models install PATH`."
        )
        assert caught.value.expected_paths == (models / "955717e8-8726e21a.th",)
        models.mkdir(parents=True, exist_ok=True)


def test_a_bag_lists_only_the_weights_still_missing(tmp_path: Path) -> None:
    torch.save(package(seeded(1)), tmp_path / "f7e0c4bc.th")
    with pytest.raises(ModelWeightsMissing) as caught:
        load_separation_model("htdemucs_ft", tmp_path)
    assert [p.name for p in caught.value.expected_paths] == [
        "d12395a8-e57c48e6.th",
        "92cfc3b6-ef3bcb9c.th",
        "04573f0d-f3cf25b2.th",
    ]
    assert "f7e0c4bc" not in str(caught.value)


def test_an_unknown_name_asks_for_weights_or_a_bag(tmp_path: Path) -> None:
    with pytest.raises(ModelWeightsMissing, match=r"needs .*mymodel\.th or .*mymodel\.yaml"):
        load_separation_model("mymodel", tmp_path)


def test_names_that_would_go_online_are_refused(tmp_path: Path) -> None:
    for name in ("hf://facebook/htdemucs", "../htdemucs", ""):
        with pytest.raises(ValueError, match="not a demucs model name"):
            load_separation_model(name, tmp_path)


def test_install_validates_copies_and_loads_offline(tmp_path: Path) -> None:
    source, models = tmp_path / "download", tmp_path / "models"
    source.mkdir()
    original = seeded(4)
    save_with_checksum(package(original), source / "abcd1234.th")
    (source / "mybag.yaml").write_text("models: ['abcd1234']\n")
    (source / "README.txt").write_text("not a model")
    installed = install_model_files(source, models)
    [weights] = [p for p in installed if p.suffix == ".th"]
    assert weights.name.startswith("abcd1234-") and weights.parent == models
    assert sorted(p.name for p in models.iterdir()) == sorted(p.name for p in installed)

    single = load_separation_model("abcd1234", models)
    bag = load_separation_model("mybag", models)
    assert isinstance(single, HDemucs)
    x = torch.randn(1, 2, 4096)
    with torch.no_grad():
        assert torch.equal(single(x), original(x))
    assert isinstance(bag, BagOfModels) and len(bag.models) == 1


def test_install_refuses_a_corrupt_file_and_copies_nothing(tmp_path: Path) -> None:
    source, models = tmp_path / "download", tmp_path / "models"
    source.mkdir()
    save_with_checksum(package(seeded(5)), source / "abcd1234.th")
    (source / "bad.th").write_bytes(b"definitely not a torch file")
    with pytest.raises(ModelFilesInvalid, match=r"bad\.th is not a usable demucs model file"):
        install_model_files(source, models)
    assert not models.exists()


def test_install_checks_the_checksum_in_the_name(tmp_path: Path) -> None:
    save_with_checksum(package(seeded(6)), tmp_path / "abcd1234.th")
    [saved] = tmp_path.glob("abcd1234-*.th")
    tampered = saved.with_name("abcd1234-00000000.th")
    saved.rename(tampered)
    with pytest.raises(ModelFilesInvalid, match="checksum"):
        install_model_files(tampered, tmp_path / "models")


def test_reinstalling_replaces_the_other_file_of_the_signature(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    torch.save(package(seeded(7)), models / "abcd1234.th")
    source = tmp_path / "new"
    source.mkdir()
    save_with_checksum(package(seeded(8)), source / "abcd1234.th")
    install_model_files(source, models)
    assert [p.name.split("-")[0] for p in models.glob("*.th")] == ["abcd1234"]
    load_separation_model("abcd1234", models)  # demucs refuses two files for one signature


def test_random_htdemucs_has_the_released_architecture() -> None:
    model = random_htdemucs()
    assert isinstance(model, HTDemucs)
    assert not model.training
    assert model.sources == ["drums", "bass", "other", "vocals"]
    assert float(model.segment) == pytest.approx(7.8)
    assert int(model.segment * model.samplerate) == 343_980
    assert model.bottom_channels == 512  # the transformer runs on 512 channels
    assert all(layer.dconv is not None for layer in model.decoder)  # dconv_mode=3
    assert sum(p.numel() for p in model.parameters()) == 41_984_456  # as published
