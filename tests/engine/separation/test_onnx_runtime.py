"""HTDemucs on ONNX Runtime: demucs' stems, and PyTorch (with the reason logged) otherwise."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from demucs.htdemucs import HTDemucs
from demucs.pretrained import SOURCES

from engine.separation import Separator
from engine.separation.onnx_runtime import export_htdemucs
from tests.engine.separation.conftest import demucs_reference, mix


def tiny_htdemucs(seed: int = 3) -> HTDemucs:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = HTDemucs(SOURCES, channels=8, t_layers=1, segment=1)
    return model.eval()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_htdemucs(tiny_htdemucs(), tmp_path_factory.mktemp("onnx") / "tiny.onnx")


@pytest.mark.parametrize("workers", [1, 2])
def test_onnx_runtime_gives_apply_models_stems(exported: Path, workers: int) -> None:
    model = tiny_htdemucs()
    audio = mix(2.6)
    separator = Separator(model, device="cpu", onnx=exported, workers=workers, threads=2)
    assert separator.runtime == "onnxruntime"
    ours = separator.separate(audio)
    reference = demucs_reference(model, audio, overlap=0.25, segment=None)
    got = np.stack([ours[name] for name in separator.sources])
    assert got.shape == reference.shape
    assert float(np.abs(got - reference).max()) <= 1e-4


def test_a_stale_or_missing_export_falls_back_to_pytorch_and_says_why(
    exported: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = tiny_htdemucs(seed=4)  # other weights than the export's
    with caplog.at_level(logging.WARNING, logger="engine.separation.onnx_runtime"):
        stale = Separator(other, device="cpu", onnx=exported)
        missing = Separator(other, device="cpu", onnx=tmp_path / "none.onnx")
    assert stale.runtime == missing.runtime == "pytorch"
    assert "stale" in caplog.text and "no export at" in caplog.text
    audio = mix(1.2)
    reference = demucs_reference(other, audio, overlap=0.25, segment=None)
    got = np.stack([v for v in stale.separate(audio).values()])
    assert float(np.abs(got - reference).max()) <= 1e-5
