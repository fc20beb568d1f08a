"""Spectrograms of one demo song's 20-s section in every style, as small grayscale PNGs.

For ``benchmarks/cover_quality.md``: run it on a checkout of the code before
a change and after it (``--tag before`` / ``--tag after``) and the page shows
the two side by side. Renders without mastering (levels are relative to each
clip's loudest bin), with the song's score when this checkout's styles take
one. The PNG writer is a few lines of zlib: no plotting library needed.

Run: .venv/bin/python benchmarks/_spectrograms.py --tag after [--out DIR]
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalog import demo_catalog
from engine.analysis import analyse, choose_section
from engine.styles import STYLE_RECIPES, render_style
from engine.synth import SongSpec, render_song

SR = 44_100
SECONDS = 20.0
WIDTH, HEIGHT = 800, 160
F_LOW, F_HIGH = 40.0, 12_000.0
FLOOR_DB = -80.0


def spectrogram(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """Log-frequency magnitude in dB, ``HEIGHT`` × ``WIDTH``, 0 = loudest (black) … 255 = floor."""
    mono = audio.mean(axis=0) if audio.ndim == 2 else audio
    n_fft, hop = 4096, max(1, mono.shape[0] // WIDTH)
    frames = np.lib.stride_tricks.sliding_window_view(
        np.pad(mono, (n_fft // 2, n_fft // 2)), n_fft)[::hop][:WIDTH]
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / SR)
    edges = np.geomspace(F_LOW, F_HIGH, HEIGHT + 1)
    rows = np.stack([
        power[:, (freqs >= lo) & (freqs < hi)].mean(axis=1)
        if np.any((freqs >= lo) & (freqs < hi))
        else power[:, int(np.argmin(np.abs(freqs - lo)))]
        for lo, hi in itertools.pairwise(edges)
    ])[::-1]
    db = 10.0 * np.log10(np.maximum(rows, 1e-20))
    db = np.clip(db - db.max(), FLOOR_DB, 0.0)
    return np.asarray(np.round(255.0 * db / FLOOR_DB), dtype=np.uint8)


def write_png(path: Path, image: npt.NDArray[np.uint8]) -> None:
    """An 8-bit grayscale PNG."""
    height, width = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True, help="file name suffix: before / after")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("cover_quality"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    catalog = demo_catalog()
    demo = catalog.songs[0]
    seconds = next(r.duration_s for r in catalog.batch.recordings if r.id == demo.recording_id)
    song = render_song(SongSpec(demo.title, demo.tempo_bpm, demo.key, demo.progression, seconds),
                       demo.seed)
    stems = song.stem_audio()
    analysis = analyse(stems, SR)
    start, _ = choose_section(None, SECONDS, analysis=analysis)
    extra: dict[str, object] = {}
    if "score" in inspect.signature(render_style).parameters:
        from engine.transcription import score_stems

        extra["score"] = score_stems(stems, SR)
    for style_id, recipe in sorted(STYLE_RECIPES.items()):
        clip = render_style(recipe, stems, SR, section=(start, start + SECONDS), seed=1,
                            analysis=analysis, **extra)  # type: ignore[arg-type]
        write_png(args.out / f"{style_id}-{args.tag}.png", spectrogram(clip))
        print(f"{style_id}: {args.out / f'{style_id}-{args.tag}.png'}", flush=True)
    print(f"section {start:.2f}-{start + SECONDS:.2f} s of {demo.title}")


if __name__ == "__main__":
    main()
