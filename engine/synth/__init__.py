"""A synthesizer of original demo songs with their true stems."""

from engine.synth.song import STEM_NAMES, SongSpec, SongStems, SungNote, parse_chord, render_song

__all__ = ["STEM_NAMES", "SongSpec", "SongStems", "SungNote", "parse_chord", "render_song"]
