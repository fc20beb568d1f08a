"""The raw stem cache beside the blobs: a store that refuses writes still renders."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from engine import render
from engine.analysis import SAMPLE_RATE


def _stem(path: Path) -> Path:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    sf.write(str(path), np.stack([tone, tone]).T, SAMPLE_RATE, format="FLAC")
    return path


def test_a_store_that_refuses_the_last_use_touch_still_reads_its_stems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    paths = {"drums": _stem(tmp_path / "drums.flac"), "bass": _stem(tmp_path / "bass.flac")}
    first = render.read_stems(paths)  # leaves <blob>.f32.npy beside each stem
    assert (tmp_path / "drums.flac.f32.npy").exists()

    def read_only(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(render.os, "utime", read_only)
    with caplog.at_level(logging.DEBUG, logger="engine.render"):
        again = render.read_stems(paths)
    assert set(again) == {"drums", "bass"}
    assert all(np.array_equal(first[name], again[name]) for name in paths)
    touched = [r for r in caplog.records if "last use" in r.getMessage()]
    assert touched and all(r.levelno == logging.DEBUG for r in touched)
