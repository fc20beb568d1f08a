"""Basic Pitch on ONNX Runtime hears the demo band's true notes, and scores are cached or fall back.

Everything runs the real model shipped in the ``basic-pitch`` wheel on a
short synthesized demo song whose notes and chords are known.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import mir_eval
import numpy as np
import pytest

from engine.analysis import analyse
from engine.render import render_master_file, song_analysis, song_score
from engine.styles import STYLE_RECIPES, arrangement_chords, render_style
from engine.synth import SongSpec, SongStems, parse_chord, render_song
from engine.transcription import (
    SCORE_VERSION,
    Note,
    Score,
    TranscriberUnavailable,
    _basic_pitch,
    score_stems,
    transcribe,
)

SR = 44_100
SPEC = SongSpec("Transcribe Me", 100.0, "A minor", ("Am", "F", "C", "G"), duration_s=14.0)


@pytest.fixture(scope="module")
def song() -> SongStems:
    return render_song(SPEC, 21)


@pytest.fixture(scope="module")
def score(song: SongStems) -> Score:
    return score_stems(song.stem_audio(), SR)


def _f1(song: SongStems, notes: list[Note] | tuple[Note, ...], until: float = np.inf) -> float:
    """Note F-measure against the true melody up to ``until`` seconds."""
    truth = [n for n in song.melody if n.start_s + 0.05 < until]
    notes = [n for n in notes if n.start < until]
    ref = np.array([[n.start_s, n.start_s + n.seconds] for n in truth])
    ref_hz = 440.0 * 2.0 ** ((np.array([n.midi for n in truth]) - 69) / 12)
    est = np.array([[n.start, max(n.end, n.start + 1e-3)] for n in notes]).reshape(-1, 2)
    est_hz = 440.0 * 2.0 ** ((np.array([n.pitch for n in notes]) - 69) / 12)
    return float(mir_eval.transcription.precision_recall_f1_overlap(
        ref, ref_hz, est, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None)[2])


def test_runs_the_onnx_model_without_tensorflow() -> None:
    assert importlib.util.find_spec("tensorflow") is None
    from basic_pitch.inference import Model

    assert _basic_pitch._model().model_type is Model.MODEL_TYPES.ONNX


def test_hears_the_sung_melody_with_pitch_bends(song: SongStems) -> None:
    notes = transcribe(song.stems["vocals"], SR)
    assert _f1(song, notes) >= 0.8
    assert all(n.bends for n in notes)  # the singer's vibrato arrives as bends


def test_silence_has_no_notes() -> None:
    assert transcribe(np.zeros(SR * 2, dtype=np.float32), SR) == []


def test_score_chords_are_the_true_chords(song: SongStems, score: Score) -> None:
    analysis = analyse(song.stem_audio(), SR)
    chords = score.chords(analysis)
    truth = dict(song.chords)
    hits = []
    for bar_start, chord in zip(analysis.bar_starts, chords, strict=True):
        true_start = min(truth, key=lambda t: abs(t - bar_start))
        if abs(true_start - bar_start) < 0.1:
            hits.append((chord.root, chord.minor) == parse_chord(truth[true_start]))
    assert len(hits) >= 5
    assert sum(hits) / len(hits) >= 0.8


def test_a_plain_mix_still_yields_the_melody(song: SongStems) -> None:
    mix_score = score_stems({"mix": song.mix()}, SR)
    assert _f1(song, mix_score.melody) >= 0.5
    assert all(n.midi < 55 for n in mix_score.bass)


def test_score_round_trips_through_json(score: Score) -> None:
    again = Score.from_dict(json.loads(json.dumps(score.to_dict())))
    assert again == score
    assert again.version == SCORE_VERSION


def test_styles_voice_the_score_chords(song: SongStems, score: Score) -> None:
    """A score that says every bar is E major makes the arrangement play E major."""
    e_major = Score(score.melody, (Note(0.0, 30.0, 40, 1.0),),
                    (Note(0.0, 30.0, 56, 1.0), Note(0.0, 30.0, 59, 1.0)))
    analysis = analyse(song.stem_audio(), SR)
    played = arrangement_chords(STYLE_RECIPES["synthwave"], analysis, (2.0, 8.0), score=e_major)
    assert played and all((c.root, c.minor) == (4, False) for _, c in played)
    without = arrangement_chords(STYLE_RECIPES["synthwave"], analysis, (2.0, 8.0))
    assert {(c.root, c.minor) for _, c in without} != {(4, False)}


def test_the_chiptune_lead_plays_the_score_melody(song: SongStems, score: Score) -> None:
    stems = song.stem_audio()
    analysis = analyse(stems, SR)
    recipe = STYLE_RECIPES["8-bit"]
    only_lead = recipe.__class__(**{**recipe.__dict__, "stem_gains": {
        p: (1.0 if p == "lead" else 0.0)
        for p in ("drums", "bass", "other", "vocals", "lead")}})
    lead = render_style(only_lead, stems, SR, section=(0.0, 12.0), seed=1, analysis=analysis,
                        score=score)
    assert _f1(song, transcribe(lead, SR), until=12.0) >= 0.7


def _write_stems(song: SongStems, folder: Path) -> dict[str, Path]:
    import soundfile as sf

    paths = {}
    for name, audio in song.stems.items():
        paths[name] = folder / f"{name}.flac"
        sf.write(str(paths[name]), audio.T, SR)
    return paths


def test_score_is_cached_beside_the_stems(
    song: SongStems, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _write_stems(song, tmp_path)
    stems = song.stem_audio()
    first = song_score(stems, paths, "8-bit")
    assert first is not None
    assert list(tmp_path.glob(f"*.score-{SCORE_VERSION}-*.json"))

    def refuse(*_: object, **__: object) -> Score:
        raise AssertionError("transcribed again")

    monkeypatch.setattr("engine.render.score_stems", refuse)
    assert song_score(stems, paths, "8-bit") == first
    assert song_score(stems, paths, "lofi") is None  # lofi plays none of the song's notes


def test_a_corrupt_model_falls_back_to_the_analysis_with_a_reason(
    song: SongStems, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import basic_pitch

    corrupt = tmp_path / "nmp.onnx"
    corrupt.write_bytes(b"not a model")
    monkeypatch.setattr(basic_pitch, "build_icassp_2022_model_path", lambda _suffix: corrupt)
    _basic_pitch._model.cache_clear()
    try:
        with pytest.raises(TranscriberUnavailable):
            transcribe(song.stems["vocals"], SR)
        paths = _write_stems(song, tmp_path)
        with caplog.at_level(logging.WARNING, logger="engine.render"):
            assert song_score(song.stem_audio(), paths, "8-bit") is None
        assert "would not load" in caplog.text
        clip = render_master_file(paths, "8-bit", 4.0, 1, tmp_path / "clip.flac")
        assert clip.path.stat().st_size > 0
        assert song_analysis(song.stem_audio(), paths).tempo_bpm > 0
    finally:
        _basic_pitch._model.cache_clear()


def test_the_score_tells_a_minor_key_from_its_relative_major(song: SongStems) -> None:
    """Em–C–G–D uses G major's notes; its phrases open on Em, so the key is E minor."""
    from engine.analysis import Key

    analysis = analyse(song.stem_audio(), SR)
    triads = {"Em": (40, 55, 59, 64), "C": (36, 55, 60, 64), "G": (43, 55, 59, 62),
              "D": (38, 54, 57, 62)}
    notes = []
    for index, start in enumerate(analysis.bar_starts):
        for midi in triads[("Em", "C", "G", "D")[index % 4]]:
            notes.append(Note(start + 0.05, start + analysis.bar_s - 0.05, midi, 0.8))
    score = Score((), tuple(n for n in notes if n.midi < 50), tuple(n for n in notes if n.midi >= 50))
    assert score.key(analysis) == Key(4, True)
    shifted = Score((), (), tuple(Note(n.start, n.end, n.midi + 2, 0.8) for n in notes))
    assert score.key(analysis) != shifted.key(analysis)
