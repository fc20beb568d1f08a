"""Watermark robustness: token recovery under WATERMARK.md's attacks, false positives, cost.

Renders 30-s clips of the demo catalog (every song through every style in
turn, with different seeds), marks each with its own random token, attacks
it with ffmpeg's real encoders (libopus, libmp3lame, aac) and the other
transformations of WATERMARK.md's table, and counts how often ``detect``
returns exactly the token. False positives are every detection on unmarked
audio (the clips before marking, and shorter excerpts of them), every
detection with a key the clip was not marked with, and every wrong token.

Each worker process runs numpy/scipy on one thread; embed and detect speed
are real-time factors (audio seconds per CPU second of that single-threaded
worker, ``time.process_time``), which is what one core delivers: wall time on
a shared, oversubscribed machine would count other processes' turns too.

Usage: ``.venv/bin/python benchmarks/watermark_robustness.py [--quick | --smoke] [--clips N] [--unmarked N]``
(full: 100 clips, 1,000 unmarked; ``--quick``: 10 clips, 50 unmarked; ``--smoke``: 1 clip, 1
unmarked, one worker). The last line is a JSON object: ``recovery`` per attack, ``false_positives``,
``clips``, ``snr_db``, ``loudness_change_lu``, ``embed_rtf_1core``,
``detect_rtf_1core``, both real-time factors per calibration and the machine
(``benchmarks/_machine.py``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import scipy.signal  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import add_run_size, emit, machine_info  # noqa: E402
from core.catalog.demo import demo_catalog  # noqa: E402
from engine.encode import decode_to_float  # noqa: E402
from engine.ffmpeg import run_tool  # noqa: E402
from engine.loudness import integrated_loudness  # noqa: E402
from engine.render import render_clip  # noqa: E402
from engine.styles import STYLE_RECIPES  # noqa: E402
from engine.synth import SongSpec, render_song  # noqa: E402
from engine.watermark import WatermarkKey, embed  # noqa: E402
from engine.watermark.detector import (  # noqa: E402
    Q_ACCEPT,
    Q_SLOW,
    Q_STRONG,
    Z_ACCEPT,
    Z_SLOW,
    Z_WEAK,
    _accept,
    _accept_slow,
    _detect,
)

SR = 44_100
CLIP_S = 30.0
KEY = WatermarkKey("bench-key", b"benchmark watermark key, 32 byte")
OTHER_KEY = WatermarkKey("other-key", b"some other deployment's key 32b!")
ATTACKS = (
    "none", "opus64", "mp3_128", "aac128", "opus32", "mp3_64",
    "resample22k", "mono", "gain_pm6db", "crop15s", "speed_pm3", "noise30db",
    # What fans do to clips on short-video and messaging apps (issue #22):
    "speed_pm10", "speed_pm25", "tempo_pm10", "pitch_pm2st", "opus16", "phone8k",
    "crop8s", "crop5s", "reverb", "speech_over_0db",
)  # fmt: skip
Audio = npt.NDArray[np.float32]


def _one_thread() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


@functools.lru_cache(maxsize=2)
def _song(index: int) -> dict[str, Audio]:
    song = demo_catalog().songs[index]
    spec = SongSpec(song.title, song.tempo_bpm, song.key, song.progression, 40.0)
    return render_song(spec, song.seed).stems


def _codec(
    audio: Audio, codec: str, kbps: int, work: Path, filters: str = "", rate: int | None = None
) -> tuple[Audio, int]:
    """Re-encode the way someone passing the clip on would: ffmpeg's encoder with its defaults,
    after ffmpeg's own ``filters`` (tempo, pitch, band limits) and at ``rate`` when given."""
    suffix = {"libopus": ".ogg", "libmp3lame": ".mp3", "aac": ".m4a"}[codec]
    raw, out = work / "attack.f32", work / f"attack{suffix}"
    np.ascontiguousarray(audio.T, dtype="<f4").tofile(raw)
    extra = (["-af", filters] if filters else []) + (["-ar", str(rate)] if rate else [])
    run_tool(
        "ffmpeg",
        ["-hide_banner", "-loglevel", "error", "-threads", "1", "-f", "f32le", "-ar", str(SR),
         "-ac", str(audio.shape[0]), "-i", str(raw), *extra, "-c:a", codec, "-b:a", f"{kbps}k",
         "-y", str(out)],
        timeout_s=120.0,
        what=f"encode {codec}",
    )  # fmt: skip
    return decode_to_float(out)


def _pitch(semitones: float) -> str:
    """ffmpeg filters that shift the pitch and keep the tempo: play faster, then stretch back."""
    ratio = 2.0 ** (semitones / 12.0)
    return f"asetrate={round(SR * ratio)},aresample={SR},atempo={1.0 / ratio:.6f}"


def _room(audio: Audio, rng: np.random.Generator) -> Audio:
    """A room: the clip convolved with decaying noise (RT60 ≈ 0.6 s), half wet, half dry."""
    n = int(0.8 * SR)
    tail = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / (0.6 * SR))
    tail[0] = 0.0
    wet = scipy.signal.fftconvolve(audio, tail[None, :], axes=-1)[:, : audio.shape[1]]
    wet *= np.sqrt(np.mean(audio.astype(np.float64) ** 2) / max(float(np.mean(wet**2)), 1e-20))
    out: Audio = (0.5 * audio + 0.5 * wet).astype(np.float32)
    return out


def _voice_over(audio: Audio, index: int) -> Audio:
    """Someone else's voice over the clip at equal loudness: another demo song's vocal line."""
    songs = demo_catalog().songs
    voice = _song((index + 3) % len(songs))["vocals"][:, : audio.shape[1]]
    voice = np.pad(voice, ((0, 0), (0, audio.shape[1] - voice.shape[1])))
    gain = math.sqrt(
        np.mean(audio.astype(np.float64) ** 2) / max(float(np.mean(voice.astype(np.float64) ** 2)), 1e-20)
    )
    out: Audio = np.clip(0.5 * (audio + voice * np.float32(gain)), -1.0, 1.0).astype(np.float32)
    return out


def _resample(audio: Audio, up: int, down: int) -> Audio:
    out: Audio = scipy.signal.resample_poly(audio, up, down, axis=-1).astype(np.float32)
    return out


def _attacks(
    audio: Audio, rng: np.random.Generator, work: Path, index: int
) -> dict[str, list[tuple[Audio, int]]]:
    """Each attack's versions of the marked clip (two for the ± attacks), with their rates."""
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    start = int(rng.uniform(0.0, CLIP_S - 15.0) * SR)
    start8 = int(rng.uniform(0.0, CLIP_S - 8.0) * SR)
    start5 = int(rng.uniform(0.0, CLIP_S - 5.0) * SR)
    noise = rng.standard_normal(audio.shape).astype(np.float32) * np.float32(rms / math.sqrt(1000.0))
    make: dict[str, Callable[[], list[tuple[Audio, int]]]] = {
        "none": lambda: [(audio, SR)],
        "opus64": lambda: [_codec(audio, "libopus", 64, work)],
        "mp3_128": lambda: [_codec(audio, "libmp3lame", 128, work)],
        "aac128": lambda: [_codec(audio, "aac", 128, work)],
        "opus32": lambda: [_codec(audio, "libopus", 32, work)],
        "mp3_64": lambda: [_codec(audio, "libmp3lame", 64, work)],
        "resample22k": lambda: [(_resample(_resample(audio, 1, 2), 2, 1), SR)],
        "mono": lambda: [(audio.mean(axis=0, keepdims=True), SR)],
        # +6 dB clips at full scale, as a file would.
        "gain_pm6db": lambda: [(np.clip(audio * np.float32(10 ** (g / 20)), -1, 1), SR) for g in (6, -6)],
        "crop15s": lambda: [(audio[:, start : start + 15 * SR], SR)],
        # Playback speed (tempo and pitch together), as resampling without telling the player.
        "speed_pm3": lambda: [(_resample(audio, 100, 103), SR), (_resample(audio, 100, 97), SR)],
        "noise30db": lambda: [(audio + noise, SR)],
        # Sped up / slowed: resampled, pitch and tempo together.
        "speed_pm10": lambda: [(_resample(audio, 100, 110), SR), (_resample(audio, 100, 90), SR)],
        "speed_pm25": lambda: [(_resample(audio, 100, 125), SR), (_resample(audio, 100, 75), SR)],
        # Time-stretched with the pitch kept, and pitch-shifted with the tempo kept (ffmpeg atempo).
        "tempo_pm10": lambda: [
            _codec(audio, "libmp3lame", 128, work, "atempo=1.1"),
            _codec(audio, "libopus", 64, work, "atempo=0.9"),
        ],
        "pitch_pm2st": lambda: [_codec(audio, "libopus", 64, work, _pitch(st)) for st in (2.0, -2.0)],
        "opus16": lambda: [_codec(audio, "libopus", 16, work)],
        # Telephone band: 300-3,400 Hz at 8 kHz, MP3 32 kb/s.
        "phone8k": lambda: [_codec(audio, "libmp3lame", 32, work, "highpass=f=300,lowpass=f=3400", 8000)],
        "crop8s": lambda: [_codec(audio[:, start8 : start8 + 8 * SR], "libopus", 64, work)],
        "crop5s": lambda: [_codec(audio[:, start5 : start5 + 5 * SR], "libopus", 64, work)],
        "reverb": lambda: [_codec(_room(audio, rng), "libopus", 64, work)],
        "speech_over_0db": lambda: [_codec(_voice_over(audio, index), "libopus", 64, work)],
    }
    return {name: make[name]() for name in ATTACKS}


def run_clip(index: int, unmarked_per_clip: int) -> dict[str, Any]:
    """Render, mark, attack and detect one clip; also its unmarked excerpts."""
    _one_thread()
    catalog = demo_catalog()
    styles = sorted(STYLE_RECIPES)
    song = index % len(catalog.songs)
    # Song s of round k takes style s + k: every song goes through every style
    # (with 8 songs and 9 styles, index + index // 8 would pin each song to one style).
    song_round = index // len(catalog.songs)
    style = styles[(song + song_round) % len(styles)]
    rng = np.random.default_rng(1000 + index)
    clip = render_clip(_song(song), style, CLIP_S, seed=index).audio
    token = int(rng.integers(0, 2**63)) * 2 + int(rng.integers(0, 2))
    t0 = time.process_time()
    marked = embed(clip, SR, token, KEY)
    embed_s = max(time.process_time() - t0, 1e-6)
    added = marked.astype(np.float64) - clip
    snr = 10 * math.log10(float(np.sum(clip.astype(np.float64) ** 2)) / max(float(np.sum(added**2)), 1e-20))
    lu = integrated_loudness(marked, SR) - integrated_loudness(clip, SR)
    recovered: dict[str, list[bool]] = {}
    false_positives = 0
    wrong_key = 0
    marked_q: list[float] = []
    noise_attempts: list[Any] = []
    detect_s = 0.0
    detect_audio_s = 0.0
    longest_30s = 0.0  # CPU seconds of the slowest whole detect (fast + wide search) of a ≤ 30-s file

    def timed(audio: Audio, rate: int, keys: list[WatermarkKey], attempts: list[Any]) -> Any:
        nonlocal longest_30s
        t0 = time.process_time()
        found = _detect(audio, rate, keys, attempts)
        if audio.shape[-1] / rate <= CLIP_S + 0.5:
            longest_30s = max(longest_30s, time.process_time() - t0)
        return found

    with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
        for name, versions in _attacks(marked, rng, Path(tmp), index).items():
            for audio, rate in versions:
                t0 = time.process_time()
                attempts: list[Any] = []
                found = timed(audio, rate, [KEY], attempts)
                right = [d.quality for d in attempts if d.token == token and (_accept(d) or _accept_slow(d))]
                if right:
                    marked_q.append(min(right) if found is None else max(right))
                if name == "none":
                    detect_s += time.process_time() - t0
                    detect_audio_s += audio.shape[-1] / rate
                recovered.setdefault(name, []).append(found is not None and found.token == token)
                false_positives += found is not None and found.token != token
                if name in ("none", "opus64"):
                    attempts = []
                    false_positives += timed(audio, rate, [OTHER_KEY], attempts) is not None
                    noise_attempts.extend(attempts)
                    wrong_key += 1
    # Unmarked: the whole clip, then excerpts of 10-20 s of it.
    unmarked = 0
    for u in range(unmarked_per_clip):
        if u == 0:
            audio = clip
        else:
            length = int(rng.uniform(10.0, 20.0) * SR)
            start = int(rng.integers(0, clip.shape[1] - length))
            audio = clip[:, start : start + length]
        # The fast path's speed (what a plain re-encode costs), then the whole detect as trace runs it.
        t0 = time.process_time()
        _detect(audio, SR, [KEY], [], slow=False)
        detect_s += time.process_time() - t0
        detect_audio_s += audio.shape[1] / SR
        attempts = []
        found = timed(audio, SR, [KEY], attempts)
        noise_attempts.extend(attempts)
        unmarked += 1
        false_positives += found is not None
    return {
        "index": index,
        "song": song,
        "style": style,
        "recovered": recovered,
        "false_positives": false_positives,
        "unmarked": unmarked,
        "wrong_key": wrong_key,
        "slow_path_max_s": longest_30s,
        "noise_attempts": len(noise_attempts),
        "noise_max_q": max((d.quality for d in noise_attempts), default=0.0),
        "noise_max_z": max((d.z for d in noise_attempts), default=0.0),
        "noise_max_q_z4": max((d.quality for d in noise_attempts if d.z >= 4.0), default=0.0),
        "noise_crc_ok": sum(d.token is not None for d in noise_attempts),
        "marked_min_q": min(marked_q, default=1.0),
        "snr_db": snr,
        "loudness_change_lu": lu,
        "embed_rtf": CLIP_S / embed_s,
        "detect_s": detect_s,
        "detect_audio_s": detect_audio_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_size(parser, quick="10 clips, 50 unmarked", smoke="1 clip, 1 unmarked, one worker")
    parser.add_argument("--clips", type=int, help="marked clips (default 100, quick 10, smoke 1)")
    parser.add_argument("--unmarked", type=int, help="unmarked clips (default 1000, quick 50, smoke 1)")
    parser.add_argument(
        "--workers", type=int, default=None, help="processes (at most 2 on a shared box; default 2, smoke 1)"
    )
    args = parser.parse_args()
    machine = machine_info()
    clips = args.clips or (1 if args.smoke else 10 if args.quick else 100)
    unmarked = args.unmarked or (1 if args.smoke else 50 if args.quick else 1000)
    per_clip = max(1, math.ceil(unmarked / clips))
    workers = max(1, min(2, args.workers or (1 if args.smoke else 2)))
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(run_clip, range(clips), [per_clip] * clips):
            results.append(result)
            misses = [k for k, v in result["recovered"].items() if not all(v)]
            print(
                f"clip {result['index']:3d} song {result['song']} {result['style']:15s} "
                f"snr {result['snr_db']:5.1f} dB  missed: {', '.join(misses) or '-'}"
                f"{'  FALSE POSITIVE' if result['false_positives'] else ''}",
                flush=True,
            )
    recovery = {}
    for name in ATTACKS:
        trials = [ok for r in results for ok in r["recovered"][name]]
        recovery[name] = round(sum(trials) / len(trials), 4)
    summary = {
        "recovery": recovery,
        "false_positives": int(sum(r["false_positives"] for r in results)),
        "clips": len(results),
        "snr_db": round(statistics.mean(r["snr_db"] for r in results), 2),
        "loudness_change_lu": round(max(abs(r["loudness_change_lu"]) for r in results), 3),
        "embed_rtf_1core": round(statistics.median(r["embed_rtf"] for r in results), 1),
        "detect_rtf_1core": round(
            sum(r["detect_audio_s"] for r in results) / sum(r["detect_s"] for r in results), 1
        ),
        "slow_path_max_s": round(max(r["slow_path_max_s"] for r in results), 2),
        "unmarked": int(sum(r["unmarked"] for r in results)),
        "wrong_key_checks": int(sum(r["wrong_key"] for r in results)),
        # False-positive margin: every decode attempt on unmarked audio and under the wrong key.
        "noise_decode_attempts": int(sum(r["noise_attempts"] for r in results)),
        "noise_crc_passes": int(sum(r["noise_crc_ok"] for r in results)),
        "noise_max_codeword_match": round(max(r["noise_max_q"] for r in results), 4),
        "noise_max_codeword_match_z4": round(max(r["noise_max_q_z4"] for r in results), 4),
        "noise_max_sync_z": round(max(r["noise_max_z"] for r in results), 2),
        "marked_min_codeword_match": round(min(r["marked_min_q"] for r in results), 4),
        "accept_rule": {
            "z": Z_ACCEPT,
            "q": Q_ACCEPT,
            "weak_z": Z_WEAK,
            "weak_q": Q_STRONG,
            "slow_z": Z_SLOW,
            "slow_q": Q_SLOW,
        },
    }
    print(
        f"unmarked clips: {sum(r['unmarked'] for r in results)}, "
        f"wrong-key checks: {sum(r['wrong_key'] for r in results)}, "
        f"min SNR {min(r['snr_db'] for r in results):.1f} dB, wall {time.perf_counter() - started:.0f} s"
    )
    emit(summary, machine, speeds=("embed_rtf_1core", "detect_rtf_1core"))


if __name__ == "__main__":
    main()
