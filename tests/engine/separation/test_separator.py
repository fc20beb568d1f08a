"""Our batched separation gives demucs' stems, whatever the batch size."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
import torch
from demucs.apply import BagOfModels
from demucs.htdemucs import HTDemucs
from demucs.pretrained import SOURCES
from torch import nn

from engine.separation import SeparationOutOfMemory, Separator
from tests.engine.separation.conftest import (
    SR,
    IdentityModel,
    demucs_reference,
    mix,
    seeded,
)


def tiny_htdemucs() -> HTDemucs:
    """The transformer architecture at toy size, with a 1 s training segment."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        model = HTDemucs(SOURCES, channels=8, t_layers=1, segment=1)
    return model.eval()


def stacked(stems: dict[str, np.ndarray], sources: tuple[str, ...]) -> np.ndarray:
    return np.stack([stems[name] for name in sources])


@pytest.mark.parametrize("segment", [1.0, 1.3])
def test_matches_demucs_apply_model(tiny_model: nn.Module, segment: float) -> None:
    audio = mix(3.0)
    expected = demucs_reference(tiny_model, audio, overlap=0.25, segment=segment)
    separator = Separator(tiny_model, device="cpu", segment=segment, overlap=0.25, batch_size=4)
    stems = separator.separate(audio)
    assert list(stems) == list(SOURCES)
    assert all(s.shape == audio.shape and s.dtype == np.float32 for s in stems.values())
    assert np.abs(stacked(stems, separator.sources) - expected).max() < 1e-3


def test_batch_size_does_not_change_the_stems(tiny_model: nn.Module) -> None:
    audio = mix(2.5, seed=1)
    one = Separator(tiny_model, device="cpu", segment=0.7, batch_size=1, workers=1)
    four = Separator(tiny_model, device="cpu", segment=0.7, batch_size=4, workers=2)
    stems_one, stems_four = one.separate(audio), four.separate(audio)
    for name in SOURCES:
        np.testing.assert_allclose(stems_one[name], stems_four[name], atol=1e-5)


def test_bag_of_models_weights_each_source_like_demucs() -> None:
    bag = BagOfModels([seeded(1), seeded(2)], weights=[[1.0, 0.0, 1.0, 0.5], [0.0, 1.0, 1.0, 0.5]])
    audio = mix(1.5, seed=2)
    expected = demucs_reference(bag, audio, overlap=0.25, segment=0.6)
    stems = Separator(bag, device="cpu", segment=0.6, batch_size=3).separate(audio)
    assert np.abs(stacked(stems, tuple(SOURCES)) - expected).max() < 1e-3


def test_htdemucs_segments_get_full_context_like_demucs() -> None:
    # HTDemucs always sees its training length: the last, short segment is
    # padded with the audio around it, which our batching must reproduce.
    model = tiny_htdemucs()
    audio = mix(2.3, seed=3)
    expected = demucs_reference(model, audio, overlap=0.25, segment=None)
    stems = Separator(model, device="cpu", batch_size=2).separate(audio)
    assert np.abs(stacked(stems, tuple(SOURCES)) - expected).max() < 1e-3
    with pytest.raises(ValueError, match=r"at most 1\.00 s"):
        Separator(model, device="cpu", segment=2.0)


def through_identity(audio: np.ndarray, gain: float) -> np.ndarray:
    """What an ``IdentityModel`` source gives: demucs adds the mix's mean back to every stem."""
    mean = audio.mean(0).mean()
    return gain * (audio - mean) + mean


@pytest.mark.parametrize("seconds", [0.01, 0.5, 1.37, 2.0])
def test_blending_gives_back_the_mix_through_an_identity_network(seconds: float) -> None:
    audio = mix(seconds, seed=4)
    stems = Separator(IdentityModel(), device="cpu", overlap=0.4, batch_size=3).separate(audio)
    for name, gain in zip(SOURCES, (1.0, 0.5, 0.25, -1.0), strict=True):
        np.testing.assert_allclose(stems[name], through_identity(audio, gain), atol=1e-5)


def test_shifts_are_reproducible_and_still_unbiased() -> None:
    audio = mix(1.2, seed=5)
    first = Separator(IdentityModel(), device="cpu", shifts=2, seed=9).separate(audio)
    again = Separator(IdentityModel(), device="cpu", shifts=2, seed=9).separate(audio)
    np.testing.assert_array_equal(first["drums"], again["drums"])
    np.testing.assert_allclose(first["vocals"], through_identity(audio, -1.0), atol=1e-5)


class FixedInput(IdentityModel):
    """Like HTDemucs, always fed a whole segment: every call stacks with every other."""

    def valid_length(self, length: int) -> int:
        return int(self.segment * SR)


def test_workers_share_the_calls_and_the_odd_one_out_gets_every_core() -> None:
    model = FixedInput()
    separator = Separator(model, device="cpu", segment=0.5, batch_size=1, workers=2, threads=2)
    audio = mix(1.6, seed=9)  # segments at 0, 0.375, 0.75, 1.125 and 1.5 s
    before = torch.get_num_threads()
    stems = separator.separate(audio)
    np.testing.assert_allclose(stems["drums"], through_identity(audio, 1.0), atol=1e-5)
    assert len(model.thread_names) == 5
    assert all(name.startswith("separation") for name in model.thread_names[:4])
    assert model.thread_names[4] == threading.current_thread().name
    assert torch.get_num_threads() == before  # the thread count is given back


def test_out_of_memory_halves_the_batch_and_remembers(caplog: pytest.LogCaptureFixture) -> None:
    model = IdentityModel(oom_above=2)
    separator = Separator(model, device="cpu", segment=0.2, batch_size=8, workers=1)
    audio = mix(2.0, seed=6)
    with caplog.at_level(logging.WARNING):
        stems = separator.separate(audio)
    np.testing.assert_allclose(stems["bass"], through_identity(audio, 0.5), atol=1e-5)
    assert separator.batch_size == 2
    sizes = model.batch_sizes
    assert {8, 4} <= set(sizes)
    last_failure = max(i for i, size in enumerate(sizes) if size > 2)
    assert sizes[last_failure + 1 :] and max(sizes[last_failure + 1 :]) == 2
    assert "ran out of memory with 8 segments per call; now 4" in caplog.text
    model.batch_sizes.clear()
    separator.separate(audio)  # the next track starts at the size that fitted
    assert max(model.batch_sizes) == 2


def test_out_of_memory_at_batch_one_takes_a_worker_away() -> None:
    model = IdentityModel(oom_calls=1)
    separator = Separator(model, device="cpu", segment=0.2, batch_size=1, workers=2)
    audio = mix(1.0, seed=8)
    stems = separator.separate(audio)
    np.testing.assert_allclose(stems["other"], through_identity(audio, 0.25), atol=1e-5)
    assert separator.workers == 1 and separator.batch_size == 1


def test_out_of_memory_as_a_plain_runtime_error_is_recognised() -> None:
    model = IdentityModel(oom_above=1)
    model.message = "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory"
    separator = Separator(model, device="cpu", segment=0.2, batch_size=4, workers=1)
    separator.separate(mix(0.5))
    assert separator.batch_size == 1


def test_out_of_memory_with_one_segment_on_one_worker_is_reported() -> None:
    separator = Separator(IdentityModel(oom_above=0), device="cpu", batch_size=4, workers=2)
    with pytest.raises(SeparationOutOfMemory, match=r"one 0\.5 s segment does not fit in cpu"):
        separator.separate(mix(0.3))


def test_other_runtime_errors_are_not_mistaken_for_memory() -> None:
    class Broken(IdentityModel):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        Separator(Broken(), device="cpu").separate(mix(0.3))


@pytest.mark.parametrize("kind", ["hdemucs", "htdemucs"])
def test_bfloat16_network_keeps_spectrograms_in_float32(tiny_model: nn.Module, kind: str) -> None:
    # CUDA's default; autocast behaves the same on CPU, so the plumbing is tested here.
    model = tiny_model if kind == "hdemucs" else tiny_htdemucs()
    audio = mix(1.0, seed=7)
    exact = Separator(model, device="cpu", segment=0.5).separate(audio)
    fast = Separator(model, device="cpu", segment=0.5, precision=torch.bfloat16).separate(audio)
    scale = max(np.abs(s).max() for s in exact.values())
    for name in SOURCES:
        assert fast[name].dtype == np.float32
        assert np.abs(fast[name] - exact[name]).max() < 0.05 * scale
    assert "_spec" not in vars(model)  # the float32 wrappers are removed afterwards


def test_rejects_audio_of_the_wrong_shape(tiny_model: nn.Module) -> None:
    separator = Separator(tiny_model, device="cpu")
    with pytest.raises(ValueError, match=r"expected \(2, n\) audio"):
        separator.separate(mix(0.2, channels=1))
    empty = separator.separate(np.zeros((2, 0), dtype=np.float32))
    assert all(s.shape == (2, 0) for s in empty.values())


def test_reports_progress_up_to_one(tiny_model: nn.Module) -> None:
    seen: list[float] = []
    Separator(tiny_model, device="cpu", segment=0.5).separate(mix(1.0), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 2
    assert SR == 44_100


def test_compile_wraps_each_network_and_takes_one_call_at_a_time(
    tiny_model: nn.Module, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compiling for real takes minutes; here only the wiring is checked.
    compiled: list[tuple[nn.Module, dict[str, object]]] = []

    def fake_compile(module: nn.Module, **options: object) -> nn.Module:
        compiled.append((module, options))
        return module

    monkeypatch.setattr(torch, "compile", fake_compile)
    separator = Separator(tiny_model, device="cpu", segment=0.5, compile=True)
    assert compiled == [(tiny_model, {"dynamic": False, "options": {"freezing": True}})]
    assert separator.workers == 1
    assert set(separator.separate(mix(0.6))) == set(SOURCES)
    with pytest.raises(ValueError, match="one call at a time"):
        Separator(tiny_model, device="cpu", compile=True, workers=2)
