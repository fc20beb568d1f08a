"""Musical analysis of a song's stems: tempo, beat grid, key, chords, best section.

Style packs re-arrange a song around its own grid and harmony (generated drums
at the song's tempo, bass lines on its chord roots), and a clip shorter than
the song should be its most chorus-like part. Everything here is cheap spectral
arithmetic in numpy (a 40-s song is analysed in well under 150 ms on one core),
deterministic, and works on a plain mix too when no stems are known.

Conventions: audio is float32 ``(2, n)`` (mono ``(n,)`` is accepted), stems are
named ``drums``, ``bass``, ``other`` and ``vocals``; pitch classes are integers
with C = 0; times are seconds from the start of the song.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.fft as sfft
from scipy.ndimage import maximum_filter1d, uniform_filter1d

FloatArray = npt.NDArray[np.float32]
Stems = Mapping[str, npt.NDArray[np.floating]]

SAMPLE_RATE = 44_100
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MIN_BPM = 60.0
MAX_BPM = 200.0

# Krumhansl–Kessler key profiles (probe-tone ratings), tonic first.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

# Onset envelope: the drums at 22.05 kHz, 46-ms windows every 5.8 ms, so a beat
# at 200 BPM spans ~52 frames and tempo can be resolved to a fraction of a BPM.
# Shorter windows let partials of sustained notes beat inside a bin, which
# reads as a flutter of fake onsets on a plain mix.
_ONSET_FFT = 1024
_ONSET_HOP = 128
# Chroma: 16384-point windows (2.7 Hz bins, fine enough for bass notes).
_CHROMA_FFT = 16_384
_CHROMA_HOP = 4_096
# An octave-up tempo wins when the off-beats are this strong relative to beats.
_DOUBLE_TEMPO_RATIO = 0.5


@dataclass(frozen=True)
class Chord:
    """A triad by root pitch class; enough to drive generated bass lines and pads."""

    root: int
    minor: bool = False

    @property
    def name(self) -> str:
        return PITCH_NAMES[self.root] + ("m" if self.minor else "")

    def pitch_classes(self) -> tuple[int, int, int]:
        third = 3 if self.minor else 4
        return (self.root, (self.root + third) % 12, (self.root + 7) % 12)


@dataclass(frozen=True)
class Key:
    tonic: int
    minor: bool

    @property
    def name(self) -> str:
        return f"{PITCH_NAMES[self.tonic]} {'minor' if self.minor else 'major'}"


@dataclass(frozen=True)
class Analysis:
    """What the style packs need to know about a song.

    Bars tile the whole song: ``bar_starts[0]`` may be negative when the song
    opens with a pickup. ``chords``, ``bar_energy`` (RMS of the mix) and
    ``bar_chroma`` have one entry per bar. Plain tuples keep it hashable and
    trivially serialisable, so it can be cached next to the stems.
    """

    duration_s: float
    tempo_bpm: float
    downbeat_s: float
    beats_per_bar: int
    key: Key
    bar_starts: tuple[float, ...]
    chords: tuple[Chord, ...]
    bar_energy: tuple[float, ...]
    bar_chroma: tuple[tuple[float, ...], ...]

    @property
    def beat_s(self) -> float:
        return 60.0 / self.tempo_bpm

    @property
    def bar_s(self) -> float:
        return self.beat_s * self.beats_per_bar

    def beat_times(self) -> FloatArray:
        """Every beat from the first bar start (possibly negative) to the end."""
        first = self.bar_starts[0]
        count = int(np.ceil((self.duration_s - first) / self.beat_s)) + 1
        return (first + self.beat_s * np.arange(count)).astype(np.float32)

    def bar_index(self, t: float) -> int:
        """The bar sounding at time ``t`` (clamped to the song)."""
        i = int(np.floor((t - self.bar_starts[0]) / self.bar_s))
        return min(max(i, 0), len(self.bar_starts) - 1)

    def chord_at(self, t: float) -> Chord:
        return self.chords[self.bar_index(t)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for caching the analysis next to a recording's stems."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Analysis:
        return cls(
            duration_s=float(data["duration_s"]),
            tempo_bpm=float(data["tempo_bpm"]),
            downbeat_s=float(data["downbeat_s"]),
            beats_per_bar=int(data["beats_per_bar"]),
            key=Key(int(data["key"]["tonic"]), bool(data["key"]["minor"])),
            bar_starts=tuple(float(b) for b in data["bar_starts"]),
            chords=tuple(Chord(int(c["root"]), bool(c["minor"])) for c in data["chords"]),
            bar_energy=tuple(float(e) for e in data["bar_energy"]),
            bar_chroma=tuple(tuple(float(v) for v in row) for row in data["bar_chroma"]),
        )


def analyse(audio: Stems | npt.NDArray[np.floating], sample_rate: int = SAMPLE_RATE) -> Analysis:
    """Analyse stems (or a plain mix) for tempo, beat grid, key and chords per bar.

    Tempo and beats come from the drums stem when it has any energy, else from
    the mix; harmony comes from bass + other (the vocals' vibrato and the drums'
    noise only blur chroma), else from the mix.
    """
    monos = _monos(audio)
    mix = _sum(list(monos.values()))
    n = mix.shape[0]
    duration = n / sample_rate
    drums = monos.get("drums")
    rhythm = drums if drums is not None and _audible(drums) else mix
    harmony_parts = [monos[k] for k in ("bass", "other") if k in monos and _audible(monos[k])]
    harmony = _sum(harmony_parts) if harmony_parts else mix

    env, env_kick, fps, t0 = _onset_envelopes(rhythm, sample_rate)
    tempo, phase_frames = _tempo_and_phase(env, fps)
    beat_s = 60.0 / tempo
    first_beat = t0 + phase_frames / fps
    first_beat -= beat_s * np.floor(first_beat / beat_s)

    chroma, bass_chroma, chroma_t = _chromagram(harmony, sample_rate)
    beats = first_beat + beat_s * np.arange(max(1, int(np.ceil((duration - first_beat) / beat_s))))
    downbeat = _downbeat(
        beats, rhythm, sample_rate, env_kick, fps, t0, chroma, chroma_t, first_beat
    )
    bar_s = 4 * beat_s
    first_bar = downbeat - bar_s * np.ceil(downbeat / bar_s)
    if first_bar + bar_s <= 0.05 * bar_s:  # a bar of (almost) nothing before 0 s
        first_bar += bar_s
    bar_starts = first_bar + bar_s * np.arange(int(np.ceil((duration - first_bar) / bar_s)))

    # The bass's harmonics (a saw's fifth harmonic is a major third) would
    # blur the major/minor choice; it only helps find chord roots.
    key = _key(chroma.sum(axis=0))
    bar_ch = _pool(chroma, chroma_t, bar_starts, bar_s)
    bar_bass = _pool(bass_chroma, chroma_t, bar_starts, bar_s)
    chords = triads(bar_ch, bar_bass, key)
    energy = _bar_rms(mix, sample_rate, bar_starts, bar_s)
    norm = bar_ch / np.maximum(bar_ch.sum(axis=1, keepdims=True), 1e-9)
    return Analysis(
        duration_s=duration,
        tempo_bpm=round(float(tempo), 3),
        downbeat_s=round(float(first_bar if first_bar >= 0 else first_bar + bar_s), 4),
        beats_per_bar=4,
        key=key,
        bar_starts=tuple(round(float(b), 4) for b in bar_starts),
        chords=chords,
        bar_energy=tuple(round(float(e), 6) for e in energy),
        bar_chroma=tuple(tuple(round(float(v), 4) for v in row) for row in norm),
    )


def choose_section(
    audio: Stems | npt.NDArray[np.floating] | None,
    seconds: float,
    sample_rate: int = SAMPLE_RATE,
    *,
    analysis: Analysis | None = None,
) -> tuple[float, float]:
    """Pick the most chorus-like ``seconds`` of the song, starting on a bar line.

    A chorus is loud and comes back: each bar scores its RMS energy (relative
    to the loudest bar) plus how closely its harmony recurs elsewhere in the
    song (best chroma similarity to a bar at least two bars away). The window
    with the best mean score wins, earliest on ties, so the choice is
    deterministic. A request as long as the song returns the whole song.
    """
    if analysis is None:
        if audio is None:
            raise ValueError("choose_section needs audio or an analysis")
        analysis = analyse(audio, sample_rate)
    duration = analysis.duration_s
    if seconds >= duration - 1e-6:
        return (0.0, duration)
    starts = np.asarray(analysis.bar_starts)
    energy = np.asarray(analysis.bar_energy)
    score = 0.7 * energy / max(float(energy.max()), 1e-12) + 0.3 * _repetition(
        np.asarray(analysis.bar_chroma)
    )
    bar_s = analysis.bar_s
    # A first bar starting a hair before 0 s (onset latency) still counts as bar one.
    candidates = [
        max(0.0, float(s))
        for s in starts
        if s >= -0.05 * bar_s and max(0.0, s) + seconds <= duration + 1e-6
    ] or [0.0]
    best_start, best_score = 0.0, -np.inf
    for start in candidates:
        # Weight each bar by how much of it falls inside [start, start + seconds).
        end = start + seconds
        weight = np.clip(np.minimum(starts + bar_s, end) - np.maximum(starts, start), 0, None)
        value = float((score * weight).sum() / max(weight.sum(), 1e-9))
        if value > best_score + 1e-9:
            best_start, best_score = float(start), value
    best_start = max(0.0, best_start)
    return (round(best_start, 4), round(best_start + seconds, 4))


# --- signal helpers -------------------------------------------------------------


def _mono(x: npt.NDArray[np.floating]) -> FloatArray:
    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 1:
        return a
    mono: FloatArray = (a.sum(axis=0) / a.shape[0]).astype(np.float32, copy=False)
    return mono


def _monos(audio: Stems | npt.NDArray[np.floating]) -> dict[str, FloatArray]:
    if isinstance(audio, np.ndarray):
        return {"mix": _mono(audio)}
    monos = {name: _mono(x) for name, x in audio.items()}
    if not monos:
        raise ValueError("no stems to analyse")
    return monos


def _sum(parts: list[FloatArray]) -> FloatArray:
    n = max(p.shape[0] for p in parts)
    out = np.zeros(n, dtype=np.float32)
    for p in parts:
        out[: p.shape[0]] += p
    return out


def _audible(x: FloatArray) -> bool:
    return bool(x.size) and float(np.max(np.abs(x))) > 1e-4


def _frames(x: FloatArray, size: int, hop: int) -> FloatArray:
    if x.shape[0] < size:
        x = np.pad(x, (0, size - x.shape[0]))
    view = np.lib.stride_tricks.sliding_window_view(x, size)[::hop]
    windowed: FloatArray = view * np.hanning(size).astype(np.float32)
    return windowed


# --- rhythm ---------------------------------------------------------------------


def _onset_envelopes(
    x: FloatArray, sample_rate: int
) -> tuple[FloatArray, FloatArray, float, float]:
    """Spectral-flux onset strength (kicks + snares) and a kick-drum envelope.

    The kick (< 160 Hz) and body (160 Hz–4 kHz) bands are normalised before
    they are added, so a kick counts as much as a snare although it lights up
    far fewer bins. Hi-hats (above 4 kHz) are left out: their eighth notes
    would pass for beats and make every half-beat lag look periodic.
    """
    half = x[: x.shape[0] // 2 * 2]
    y = (half[0::2] + half[1::2]) * 0.5
    sr = sample_rate / 2
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    y = y / max(peak, 1e-9)
    spec = np.abs(sfft.rfft(_frames(y, _ONSET_FFT, _ONSET_HOP), axis=-1))
    flux = np.maximum(np.diff(np.log1p(100.0 * spec), axis=0), 0.0)
    kick_bin = max(2, int(160 * _ONSET_FFT / sr))
    body_bin = int(4000 * _ONSET_FFT / sr)
    fps = sr / _ONSET_HOP

    def envelope(band: FloatArray) -> FloatArray:
        e = np.concatenate([[0.0], band.mean(axis=1)]).astype(np.float32)
        rising: FloatArray = np.maximum(e - uniform_filter1d(e, size=int(fps * 0.4)), 0.0)
        return rising

    raw_kick = envelope(flux[:, 1:kick_bin])
    raw_body = envelope(flux[:, kick_bin:body_bin])
    loudest = max(float(raw_kick.max()), float(raw_body.max()), 1e-9)
    # A band with next to nothing in it would be scaled up into pure noise.
    kick = _normalise(raw_kick) if float(raw_kick.max()) > 0.05 * loudest else 0.0 * raw_kick
    body = _normalise(raw_body) if float(raw_body.max()) > 0.05 * loudest else 0.0 * raw_body
    beats = _normalise(kick + body)
    if float(beats.max()) <= 0.0:
        beats = _normalise(envelope(flux))
    # For the downbeat, how much low end arrives (linear, not log): a kick
    # brings a lot, a snare's noise only a little, though both are onsets.
    low = spec[:, 1:kick_bin].sum(axis=1)
    thump = _normalise(np.concatenate([[0.0], np.maximum(np.diff(low), 0.0)]).astype(np.float32))
    # Frame j's flux peaks once an onset is well inside its window: measured on
    # clicks, that is ~0.92 of a window after the frame's start.
    t0 = (_ONSET_FFT * 0.92) / sr
    return beats, thump, fps, t0


def _normalise(e: FloatArray) -> FloatArray:
    return (e / max(float(e.max()), 1e-9)).astype(np.float32)


def _acf(env: FloatArray, max_lag: int) -> FloatArray:
    n = env.shape[0]
    size = sfft.next_fast_len(n + max_lag)
    spec = sfft.rfft(env - env.mean(), size)
    r = sfft.irfft(np.abs(spec) ** 2, size)[:max_lag]
    r = r / np.maximum(n - np.arange(max_lag), 1)
    normalised: FloatArray = (r / max(float(r[0]), 1e-12)).astype(np.float32)
    return normalised


def _pulse_salience(env: FloatArray, period: float, phases: FloatArray) -> FloatArray:
    """Mean envelope at the beats of a grid, for each starting phase (frames)."""
    count = max(1, int((env.shape[0] - 1 - float(phases.max())) // period))
    idx = np.rint(phases[:, None] + period * np.arange(count)[None, :]).astype(np.intp)
    return env[np.clip(idx, 0, env.shape[0] - 1)].mean(axis=1)  # type: ignore[no-any-return]


def _tempo_and_phase(env: FloatArray, fps: float) -> tuple[float, float]:
    """Tempo (BPM) and the frame of the first beat.

    An autocorrelation comb (lags L, 2L, 3L, 4L) finds the beat period family;
    it cannot tell a tempo from its half, so the octave is settled by the
    off-beats: a tempo doubles when its off-beats are nearly as
    strong as its beats (a click every beat at 174 BPM looks like 87 BPM with
    strong off-beats). A fine pulse-train search then pins the tempo and phase.
    """
    if float(env.max()) <= 0.0:
        return 120.0, 0.0
    max_lag = int(4 * 60 * fps / MIN_BPM) + 2
    r = np.maximum(_acf(env, max_lag), 0.0)
    bpms = np.arange(MIN_BPM, MAX_BPM + 1e-9, 0.25)
    lags = 60.0 * fps / bpms
    grid = np.arange(max_lag)
    comb = sum(np.interp(k * lags, grid, r) for k in range(1, 5))
    comb = np.asarray(comb)
    if float(comb.max()) <= 0.0:
        return 120.0, 0.0

    def comb_at(bpm: float) -> float:
        return float(np.interp(bpm, bpms, comb))

    tempo = float(bpms[int(np.argmax(comb))])
    while tempo / 2 >= MIN_BPM and comb_at(tempo / 2) >= 0.8 * comb_at(tempo):
        tempo /= 2
    strong = maximum_filter1d(env, size=5)
    while tempo * 2 <= MAX_BPM:
        period = 60.0 * fps / tempo
        phases = np.arange(0.0, period, 1.0)
        sal = _pulse_salience(strong, period, phases)
        best = int(np.argmax(sal))
        off = _pulse_salience(strong, period, np.array([(phases[best] + period / 2) % period]))
        if float(off[0]) < _DOUBLE_TEMPO_RATIO * float(sal[best]):
            break
        tempo *= 2
    return _refine(maximum_filter1d(env, size=3), tempo, fps)


def _refine(env: FloatArray, tempo: float, fps: float) -> tuple[float, float]:
    best = (-1.0, tempo, 0.0)
    for span, steps in ((0.03, 61), (0.002, 41)):
        centre = best[1]
        for bpm in centre * (1.0 + np.linspace(-span, span, steps)):
            period = 60.0 * fps / bpm
            phases = np.arange(0.0, period, 1.0)
            sal = _pulse_salience(env, period, phases)
            i = int(np.argmax(sal))
            if float(sal[i]) > best[0] + 1e-9:
                best = (float(sal[i]), float(bpm), float(phases[i]))
    return best[1], best[2]


def _downbeat(
    beats: npt.NDArray[np.floating],
    rhythm: FloatArray,
    sample_rate: int,
    env_kick: FloatArray,
    fps: float,
    t0: float,
    chroma: FloatArray,
    chroma_t: FloatArray,
    first_beat: float,
) -> float:
    """Which beat of four starts a bar: kicks land there, chords change there,
    and failing both, it is the accented beat."""
    idx = np.clip(np.rint((beats - t0) * fps).astype(np.intp), 0, env_kick.shape[0] - 1)
    kick_at = maximum_filter1d(env_kick, size=7)[idx]
    # Accent: the peak level from 10 ms before to 40 ms after each beat.
    offsets = np.arange(-int(0.01 * sample_rate), int(0.04 * sample_rate), 4)
    at = np.rint(beats * sample_rate).astype(np.intp)[:, None] + offsets[None, :]
    accent_at = np.abs(rhythm[np.clip(at, 0, rhythm.shape[0] - 1)]).max(axis=1)
    accent_at = accent_at / max(float(accent_at.max()), 1e-9)
    beat_s = float(beats[1] - beats[0]) if beats.shape[0] > 1 else 0.5
    per_beat = _pool(chroma, chroma_t, beats, beat_s)
    norms = np.linalg.norm(per_beat, axis=1)
    unit = per_beat / np.maximum(norms, 1e-9)[:, None]
    novelty = np.zeros(beats.shape[0])
    heard = (norms[1:] > 1e-6) & (norms[:-1] > 1e-6)  # a beat with no frames is no change
    novelty[1:] = np.where(heard, 1.0 - (unit[1:] * unit[:-1]).sum(axis=1), 0.0)

    def share(x: npt.NDArray[np.floating], j: int) -> float:
        # Relative to the mean, floored so a cue that is nearly absent (no kick,
        # no chord changes) cannot turn its noise into a vote.
        group = x[j::4]
        return float(group.mean()) / max(float(x.mean()), 0.05) if group.size else 0.0

    scores = [share(kick_at, j) + share(novelty, j) + 0.5 * share(accent_at, j) for j in range(4)]
    return float(first_beat + beat_s * int(np.argmax(scores)))


# --- harmony --------------------------------------------------------------------


def _chroma_matrix(sample_rate: int, lo: float, hi: float) -> FloatArray:
    freqs = np.fft.rfftfreq(_CHROMA_FFT, 1.0 / sample_rate)
    m = np.zeros((freqs.shape[0], 12), dtype=np.float32)
    band = (freqs >= lo) & (freqs <= hi)
    midi = 69.0 + 12.0 * np.log2(freqs[band] / 440.0)
    nearest = np.rint(midi)
    # Bins between two semitones belong to neither: they blur roots into neighbours.
    weight = np.clip(1.0 - 2.0 * np.abs(midi - nearest), 0.0, 1.0)
    m[np.nonzero(band)[0], nearest.astype(int) % 12] = weight
    return m


def _chromagram(x: FloatArray, sample_rate: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chroma (55 Hz–2 kHz), bass chroma (30–200 Hz) and frame centre times."""
    mag = np.abs(sfft.rfft(_frames(x, _CHROMA_FFT, _CHROMA_HOP), axis=-1))
    chroma = mag @ _chroma_matrix(sample_rate, 55.0, 2000.0)
    bass = mag @ _chroma_matrix(sample_rate, 30.0, 200.0)
    times = (np.arange(mag.shape[0]) * _CHROMA_HOP + _CHROMA_FFT / 2) / sample_rate
    return chroma.astype(np.float32), bass.astype(np.float32), times.astype(np.float32)


def _pool(
    feats: FloatArray, times: FloatArray, starts: npt.NDArray[np.floating], length: float
) -> FloatArray:
    """Average frames whose centre falls in each [start, start + length) span."""
    out = np.zeros((starts.shape[0], feats.shape[1]), dtype=np.float32)
    which = np.floor((times - starts[0]) / length).astype(np.intp)
    ok = (which >= 0) & (which < starts.shape[0])
    np.add.at(out, which[ok], feats[ok])
    counts = np.bincount(which[ok], minlength=starts.shape[0])[: starts.shape[0]]
    pooled: FloatArray = out / np.maximum(counts, 1)[:, None]
    return pooled


def _key(profile: npt.NDArray[np.floating]) -> Key:
    """Krumhansl–Schmuckler: correlate the pitch-class profile with 24 key profiles."""
    if float(np.max(profile)) <= 0.0:
        return Key(0, False)
    best = (-2.0, Key(0, False))
    for minor, template in ((False, _MAJOR_PROFILE), (True, _MINOR_PROFILE)):
        for tonic in range(12):
            r = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
            if r > best[0] + 1e-9:
                best = (r, Key(tonic, minor))
    return best[1]


def triads(bar_chroma: FloatArray, bar_bass: FloatArray, key: Key) -> tuple[Chord, ...]:
    """Nearest major/minor triad per bar; the bass note breaks ties toward the root.

    Rows are pitch-class weights (C = 0), one per bar: from the spectrum here,
    or from transcribed notes (``engine.transcription``).
    """
    candidates = [Chord(r, m) for m in (False, True) for r in range(12)]
    templates = np.zeros((24, 12), dtype=np.float32)
    for i, c in enumerate(candidates):
        templates[i, list(c.pitch_classes())] = 1.0
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    chords: list[Chord] = []
    tonic_chord = Chord(key.tonic, key.minor)
    for ch, bass in zip(bar_chroma, bar_bass, strict=True):
        norm = float(np.linalg.norm(ch))
        if norm <= 1e-6:
            chords.append(chords[-1] if chords else tonic_chord)
            continue
        score = templates @ (ch / norm)
        bass_peak = float(bass.max())
        if bass_peak > 0.0:
            score = score + 0.25 * np.array([bass[c.root] / bass_peak for c in candidates])
        chords.append(candidates[int(np.argmax(score))])
    return tuple(chords)


def _bar_rms(
    mix: FloatArray, sample_rate: int, starts: npt.NDArray[np.floating], length: float
) -> FloatArray:
    power = np.concatenate([[0.0], np.cumsum(mix.astype(np.float64) ** 2)])
    lo = np.clip(np.rint(starts * sample_rate).astype(np.intp), 0, mix.shape[0])
    hi = np.clip(np.rint((starts + length) * sample_rate).astype(np.intp), 0, mix.shape[0])
    span = np.maximum(hi - lo, 1)
    rms: FloatArray = np.sqrt((power[hi] - power[lo]) / span).astype(np.float32)
    return rms


def _repetition(bar_chroma: FloatArray) -> FloatArray:
    """How strongly each bar's harmony recurs at least two bars away (0..1)."""
    n = bar_chroma.shape[0]
    if n < 3:
        return np.zeros(n, dtype=np.float32)
    unit = bar_chroma / np.maximum(np.linalg.norm(bar_chroma, axis=1, keepdims=True), 1e-9)
    sim = unit @ unit.T
    i, j = np.indices(sim.shape)
    sim[np.abs(i - j) < 2] = 0.0
    return sim.max(axis=1).astype(np.float32)  # type: ignore[no-any-return]
