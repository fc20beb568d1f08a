"""The torchscript backend with a small random model of the declared interface."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from engine.synth.instruments import midi_hz
from engine.synth.voices import Take
from engine.voice import (
    VoiceBackendUnavailable,
    VoiceModelFileError,
    VoiceProfile,
    apply_voice,
    converter,
)
from engine.voice.metrics import note_pitches
from engine.voice.neural import torchscript_allowed
from engine.voice.pitch import plan
from engine.voice.tiny_model import save_tiny_voice
from tests.engine.voice.voice_material import SR, stereo


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_voice(tmp_path_factory.mktemp("models") / "tiny-voice.pt")


def test_converts_with_the_input_shape_and_keeps_silence(
    model_file: Path, house_line: Take, ada: VoiceProfile
) -> None:
    neural = converter("torchscript", model_path=model_file, device="cpu")
    vocal = stereo(np.concatenate((np.zeros(SR, np.float32), house_line.audio[: 4 * SR + 17])))
    sung = neural.convert(vocal, SR, ada)
    assert sung.shape == vocal.shape and sung.dtype == np.float32
    assert not np.any(sung[:, : int(0.9 * SR)])
    assert float(np.abs(sung).max()) > 0.01
    assert not np.any(neural.convert(np.zeros((2, SR), np.float32), SR, ada))
    out = apply_voice({"vocals": vocal, "bass": vocal}, SR, ada, converter=neural)
    assert out["vocals"].shape == vocal.shape and out["bass"] is vocal


def test_sings_the_planned_melody(model_file: Path, house_line: Take, kai: VoiceProfile) -> None:
    neural = converter("torchscript", model_path=model_file, device="cpu")
    sung = neural.convert(house_line.audio, SR, kai, key_shift_semitones=2.0)
    src = np.log([midi_hz(n.midi) for n in house_line.notes])
    chosen = plan(float(np.mean(src)), kai, 2.0, "melody")
    notes = [n for n in house_line.notes if n.seconds >= 0.25]
    heard = note_pitches(sung, SR, [(n.start_s, n.seconds) for n in notes])
    wanted = np.array([midi_hz(n.midi + chosen.semitones) for n in notes])
    ok = heard > 0
    assert ok.mean() > 0.9
    assert np.median(1200 * np.abs(np.log2(heard[ok] / wanted[ok]))) < 100


def test_missing_and_incompatible_model_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(VoiceModelFileError, match=r"voice\.pt not found"):
        converter("torchscript", model_path=tmp_path / "voice.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"definitely not a model")
    with pytest.raises(VoiceModelFileError, match="not a TorchScript voice model"):
        converter("torchscript", model_path=junk)
    bare = tmp_path / "bare.pt"
    with torchscript_allowed():
        torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(bare))
    with pytest.raises(VoiceModelFileError, match="does not declare sample_rate"):
        converter("torchscript", model_path=bare)
    with pytest.raises(VoiceBackendUnavailable, match="onnxruntime"):
        converter("onnx", model_path=junk)
    with pytest.raises(VoiceBackendUnavailable, match="unknown voice backend"):
        converter("magic")


def test_a_model_answering_with_the_wrong_shape_is_refused(tmp_path: Path, ada: VoiceProfile,
                                                           house_line: Take) -> None:
    class Short(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.sample_rate, self.hop_length, self.feature_dim = SR, 441, 40

        def forward(self, features: torch.Tensor, f0: torch.Tensor) -> torch.Tensor:
            return f0  # one value per frame instead of hop_length samples

    path = tmp_path / "short.pt"
    with torchscript_allowed():
        torch.jit.save(torch.jit.script(Short()), str(path))
    with pytest.raises(VoiceModelFileError, match=r"short\.pt returned"):
        converter("torchscript", model_path=path, device="cpu").convert(house_line.audio[: 2 * SR], SR, ada)
