"""One clip from stems: pick the section, apply the style, master, encode.

``render_clip`` is pure CPU work on arrays; ``render_clip_files`` wraps it
for a process pool: it takes file paths and plain values (picklable), reads
the stems, and writes the encoded clip, so the event loop never blocks on
audio and nothing large crosses the process boundary.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from core.errors import UserFacing
from engine.analysis import SAMPLE_RATE, Analysis, analyse, choose_section
from engine.encode import ClipTags, EncodeFormat, encode
from engine.mastering import master, trim_to_true_peak
from engine.styles import (
    ENGINE_VERSION,
    STYLE_RECIPES,
    follows_score,
    render_style,
    source_seconds,
)
from engine.transcription import SCORE_VERSION, Score, TranscriberUnavailable, score_stems

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
Watermarker = Callable[[FloatArray, int], FloatArray]


class UnknownStyle(UserFacing, ValueError):
    def __init__(self, style_id: str) -> None:
        super().__init__(f"There is no style called '{style_id}'.")
        self.style_id = style_id


@dataclass(frozen=True, eq=False)
class MasteredClip:
    audio: FloatArray
    sample_rate: int
    section: tuple[float, float]
    lufs: float
    true_peak_db: float


def render_clip(
    stems: Mapping[str, npt.NDArray[np.floating]],
    style_id: str,
    seconds: float,
    *,
    seed: int,
    sample_rate: int = SAMPLE_RATE,
    analysis: Analysis | None = None,
    voice_profile: bytes | None = None,
    score: Score | None = None,
) -> MasteredClip:
    """The best ``seconds`` of a song in a style, mastered to −14 LUFS / −1 dBTP.

    With the song's ``score`` the style's generated parts play its
    transcribed chords and melody; without it they follow the analysis.
    """
    recipe = STYLE_RECIPES.get(style_id)
    if recipe is None:
        raise UnknownStyle(style_id)
    if analysis is None:
        analysis = analyse(stems, sample_rate)
    song_seconds = max(s.shape[-1] for s in stems.values()) / sample_rate
    seconds = min(seconds, song_seconds)
    start, _ = choose_section(
        None, min(song_seconds, source_seconds(recipe, seconds, analysis)), analysis=analysis
    )
    if voice_profile is not None:
        stems = _sung_by(stems, voice_profile, sample_rate, start, seconds, song_seconds)
    mix = render_style(
        recipe,
        stems,
        sample_rate,
        section=(start, start + seconds),
        seed=seed,
        analysis=analysis,
        score=score,
    )
    result = master(mix, sample_rate)
    return MasteredClip(
        result.audio, sample_rate, (start, start + seconds), result.lufs, result.true_peak_db
    )


VOICE_MARGIN_S = 1.0  # converted around the section, so the style's fades and reverb tails are sung too


def _sung_by(
    stems: Mapping[str, npt.NDArray[np.floating]],
    voice_profile: bytes,
    sample_rate: int,
    start: float,
    seconds: float,
    song_seconds: float,
) -> dict[str, npt.NDArray[np.floating]]:
    """The stems with the section's lead vocal sung by the profile's voice (before the style).

    Only the rendered section (plus a margin) is converted: WORLD runs at
    ~10× real time, so converting a whole song for a 20-s clip would cost more
    than the rest of the render.
    """
    from engine.voice import VoiceProfile, apply_voice

    if "vocals" not in stems:
        return dict(stems)
    a = int(max(0.0, start - VOICE_MARGIN_S) * sample_rate)
    b = int(min(song_seconds, start + seconds + VOICE_MARGIN_S) * sample_rate)
    vocals = np.array(stems["vocals"], dtype=np.float32)  # a copy: stems may be read-only mmaps
    converted = apply_voice(
        {"vocals": np.ascontiguousarray(vocals[:, a:b])},
        sample_rate,
        VoiceProfile.from_bytes(voice_profile),
    )
    vocals[:, a:b] = converted["vocals"]
    return {**stems, "vocals": vocals}


@dataclass(frozen=True)
class RenderedFile:
    """What the worker process hands back: small, picklable facts about the clip."""

    path: Path
    sha256: str
    duration_s: float
    lufs: float
    true_peak_db: float
    section: tuple[float, float]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _save_npy(path: Path, *, array: npt.NDArray[np.float32]) -> None:
    with path.open("wb") as out:
        np.save(out, array)


def _write_json(path: Path, *, data: object) -> None:
    path.write_text(json.dumps(data))


def _touch(path: Path) -> None:
    """Mark the last use, which the cache's least-recently-used eviction goes by.

    A read-only or foreign-owned store refuses it; the stems are still good, so
    the render goes on (the file just looks older to the eviction than it is).
    """
    try:
        os.utime(path)
    except OSError as exc:
        log.debug("could not record the last use of %s: %s", path.name, exc)


def read_stems(paths: Mapping[str, Path]) -> dict[str, npt.NDArray[np.float32]]:
    """Stem files (any soundfile format, 44.1 kHz) as float32 ``(channels, n)``.

    Decoding four FLAC stems costs a quarter of a render, so the first read
    leaves a raw float copy beside each blob (``<blob>.f32.npy``) that later
    renders memory-map: only the section a style touches is ever read again.
    """
    stems: dict[str, npt.NDArray[np.float32]] = {}
    for name, path in paths.items():
        raw = path.with_name(path.name + ".f32.npy")
        if raw.exists():
            stems[name] = np.load(raw, mmap_mode="r")
            _touch(raw)
            continue
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
        if sr != SAMPLE_RATE:
            raise ValueError(f"stem {name} is {sr} Hz; stems are stored at {SAMPLE_RATE} Hz")
        array = np.ascontiguousarray(data.T)
        with contextlib.suppress(OSError):  # a read-only store still renders, just slower
            _atomic_write(raw, functools.partial(_save_npy, array=array))
        stems[name] = array
    return stems


def song_analysis(stems: Mapping[str, npt.NDArray[np.floating]], paths: Mapping[str, Path]) -> Analysis:
    """The song's tempo/key/chords/bars, computed once per set of stems and kept beside them."""
    key = hashlib.sha256(
        "|".join(f"{n}={p.name}" for n, p in sorted(paths.items())).encode()
    ).hexdigest()[:16]
    anchor = next(iter(sorted(paths.values())))
    cached = anchor.with_name(f"{anchor.name}.analysis-{ENGINE_VERSION}-{key}.json")
    if cached.exists():
        try:
            return Analysis.from_dict(json.loads(cached.read_text()))
        except (ValueError, KeyError, TypeError):
            cached.unlink(missing_ok=True)
    analysis = analyse(stems, SAMPLE_RATE)
    with contextlib.suppress(OSError):
        _atomic_write(cached, functools.partial(_write_json, data=analysis.to_dict()))
    return analysis


def song_score(
    stems: Mapping[str, npt.NDArray[np.floating]], paths: Mapping[str, Path], style_id: str
) -> Score | None:
    """The song's transcribed score, computed once per set of stems and kept beside them.

    ``None`` when the style plays no notes of the song (nothing to transcribe
    for) or when the transcriber cannot run here: the style then follows the
    analysis, and the log says why, so a broken model never fails a clip.
    """
    recipe = STYLE_RECIPES.get(style_id)
    if recipe is None or not follows_score(recipe.generator_kinds):
        return None
    key = hashlib.sha256(
        "|".join(f"{n}={p.name}" for n, p in sorted(paths.items())).encode()
    ).hexdigest()[:16]
    anchor = next(iter(sorted(paths.values())))
    cached = anchor.with_name(f"{anchor.name}.score-{SCORE_VERSION}-{key}.json")
    if cached.exists():
        try:
            return Score.from_dict(json.loads(cached.read_text()))
        except (ValueError, KeyError, TypeError):
            cached.unlink(missing_ok=True)
    try:
        score = score_stems(stems, SAMPLE_RATE)
    except TranscriberUnavailable as exc:
        log.warning("styles follow the analysis, not a score: %s", exc)
        return None
    with contextlib.suppress(OSError):
        _atomic_write(cached, functools.partial(_write_json, data=score.to_dict()))
    return score


def render_key(
    *,
    source: str,
    style_id: str,
    seconds: float,
    variation: int,
    voice: str | None = None,
) -> str:
    """The render cache key: everything that decides how a master sounds.

    ``source`` names the audio the stems came from (the recording's audio or
    provided stems' hashes), ``voice`` the voice model and its version; the
    style's version tag covers the recipe and the engine, ``SCORE_VERSION``
    the transcriber whose notes the style plays, and the section
    follows from the song and the length. Same key → same master, so a second
    fan asking for the same cover gets it at once (with their own watermark).
    """
    from engine.styles import style_version

    parts = [source, style_version(style_id), SCORE_VERSION, f"{seconds:.3f}", str(variation),
             voice or "-"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def render_seed(key_source: str, style_id: str, variation: int) -> int:
    """Seed of the generated parts: fixed per (song, style, variation), so the cache holds."""
    digest = hashlib.sha256(f"{key_source}|{style_id}|{variation}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def render_master_file(
    stem_paths: Mapping[str, Path],
    style_id: str,
    seconds: float,
    seed: int,
    target: Path,
    voice_profile: bytes | None = None,
) -> RenderedFile:
    """Process-pool entry point: stems on disk → the mastered clip as 24-bit FLAC.

    The master is what the render cache keeps and what every delivery starts
    from: each delivery adds its own watermark and encodes (``core.deliveries``),
    so the expensive part runs once per (recording, style, length, variation).
    """
    stems = read_stems(stem_paths)
    clip = render_clip(
        stems,
        style_id,
        seconds,
        seed=seed,
        analysis=song_analysis(stems, stem_paths),
        voice_profile=voice_profile,
        score=song_score(stems, stem_paths, style_id),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        sf.write(str(partial), clip.audio.T, clip.sample_rate, subtype="PCM_24", format="FLAC")
        with partial.open("rb") as written:
            digest = hashlib.file_digest(written, "sha256").hexdigest()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return RenderedFile(
        target,
        digest,
        clip.audio.shape[1] / clip.sample_rate,
        clip.lufs,
        clip.true_peak_db,
        clip.section,
    )


def render_clip_files(
    stem_paths: Mapping[str, Path],
    style_id: str,
    seconds: float,
    seed: int,
    fmt: EncodeFormat,
    target: Path,
    tags: ClipTags,
    watermark: Watermarker | None = None,
) -> RenderedFile:
    """Process-pool entry point: stems on disk → encoded clip on disk.

    The watermark (when given) goes after mastering, then a final true-peak
    trim, then the encoder — the order WATERMARK.md asks for.
    """
    stems = read_stems(stem_paths)
    clip = render_clip(
        stems,
        style_id,
        seconds,
        seed=seed,
        analysis=song_analysis(stems, stem_paths),
        score=song_score(stems, stem_paths, style_id),
    )
    audio = clip.audio
    if watermark is not None:
        audio, _ = trim_to_true_peak(watermark(audio, clip.sample_rate))
    encoded = encode(audio, clip.sample_rate, fmt, target, tags)
    return RenderedFile(
        encoded.path, encoded.sha256, encoded.duration_s, clip.lufs, clip.true_peak_db, clip.section
    )
