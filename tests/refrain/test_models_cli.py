"""`refrain models install` exports an HTDemucs for ONNX Runtime beside its weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from click.testing import CliRunner
from demucs.htdemucs import HTDemucs
from demucs.pretrained import SOURCES
from demucs.states import save_with_checksum

from engine.separation import Separator, export_path, load_separation_model
from refrain.cli import main
from tests.engine.separation.conftest import seeded


def package(model: torch.nn.Module) -> dict[str, Any]:
    args, kwargs = model._init_args_kwargs  # type: ignore[misc]
    return {"klass": type(model), "args": args, "kwargs": kwargs, "state": model.state_dict()}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REFRAIN_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("REFRAIN_SEPARATION_MODEL", "abcd1234")
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    (tmp_path / "download").mkdir()
    return tmp_path


def install(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["models", "install", str(path)], catch_exceptions=False)
    return result.exit_code, result.output


def test_an_htdemucs_is_exported_and_then_runs_on_onnx_runtime(env: Path) -> None:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        model = HTDemucs(SOURCES, channels=8, t_layers=1, segment=1)
    save_with_checksum(package(model), env / "download" / "abcd1234.th")
    code, text = install(env / "download")
    assert code == 0 and "exported abcd1234 for ONNX Runtime" in text, text
    models = env / "models"
    assert export_path(models, "abcd1234").exists()
    loaded = load_separation_model("abcd1234", models)
    assert Separator(loaded, device="cpu", onnx=export_path(models, "abcd1234")).runtime == "onnxruntime"


def test_other_architectures_stay_on_pytorch(env: Path) -> None:
    save_with_checksum(package(seeded(4)), env / "download" / "abcd1234.th")
    code, text = install(env / "download")
    assert code == 0 and "is not a single HTDemucs; it runs on PyTorch" in text, text
    assert not export_path(env / "models", "abcd1234").exists()
