"""Catalog import: the sample parses exactly, and every problem is reported with its line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from core.catalog.importer import CatalogImportError, parse_catalog, parse_catalog_file
from core.model import UNCLAIMED_PARTY_ID, RightType, SubjectKind, Transformation

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "sample_catalog.toml").read_text(encoding="utf-8")


def _problems(text: str, fmt: str = "toml", fill: bool = False) -> CatalogImportError:
    with pytest.raises(CatalogImportError) as info:
        parse_catalog(text, fmt=fmt, base_dir=Path("/cat"), fill_unclaimed=fill)
    return info.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_sample_parses_with_exact_fractions_and_resolved_paths() -> None:
    parsed = parse_catalog(SAMPLE, fmt="toml", base_dir=Path("/cat"), fill_unclaimed=False)
    batch = parsed.batch
    assert {r.id for r in batch.recordings} == {"rec-harbor-lights", "rec-fern-and-flint"}
    assert {w.iswc for w in batch.works} == {"T-300.400.501-6", "T-300.400.502-7"}
    assert {r.isrc for r in batch.recordings} == {"QZBF12400001", "QZME12400002"}
    perf = [s.fraction for s in batch.shares if s.right is RightType.PERF]
    assert all(isinstance(f, Fraction) for f in perf)
    assert parsed.audio_paths == {"rec-harbor-lights": Path("/cat/audio/harbor_lights.flac")}
    assert parsed.stem_paths["rec-harbor-lights"]["vocals"] == Path("/cat/stems/hl_vocals.flac")
    assert parsed.lines["rec-harbor-lights"] == _line_of(SAMPLE, 'id = "rec-harbor-lights"') - 1
    terms = dict(batch.licenses)
    assert terms["rec-harbor-lights"].styles is None
    assert terms["rec-fern-and-flint"].styles == {"lofi", "acoustic"}
    voice_bucket = terms["rec-harbor-lights"].bucket_templates[Transformation.VOICE_SWAP]
    assert sum(voice_bucket.values()) == 1
    assert batch.opt_declarations[0].opted_in is True
    assert batch.voice_models[0].consent.signed_on.isoformat() == "2024-05-02"


def _header_before(text: str, needle: str) -> int:
    """The line of the ``[[table]]`` header that owns the line containing ``needle``."""
    lines = text.splitlines()
    at = _line_of(text, needle)
    return next(n for n in range(at, 0, -1) if lines[n - 1].startswith("[["))


def test_many_problems_are_reported_together_with_lines() -> None:
    text = SAMPLE.replace('iswc = "T3004005027"', 'iswc = "T3004005020"')
    text = text.replace('party = "party-odile"', 'party = "party-nobody"')
    text = text.replace('MASTER = "0.4" }', 'MASTER = "0.5" }')
    error = _problems(text)
    message = str(error)
    assert message.startswith(f"catalog.toml has {len(error.issues)} problems:\n  line ")
    by_line: dict[int, list[str]] = {}
    for issue in error.issues:
        by_line.setdefault(issue.line, []).append(issue.message)
    assert any(
        "has a wrong check digit: expected 7" in m
        for m in by_line[_header_before(text, "T3004005020")]
    )
    assert "share: unknown party 'party-nobody'" in by_line[_header_before(text, "party-nobody")]
    assert any("11/10" in m for m in by_line[_header_before(text, 'MASTER = "0.5" }')])
    # A bad ISWC does not cascade into "unknown work" errors for its references.
    assert "unknown work" not in message
    # The dropped share leaves the work's PERF half unclaimed, which is reported too.
    assert any("PERF shares worldwide sum to 1/2" in i.message for i in error.issues)
    assert len(error.issues) == 4


def test_share_gap_is_an_error_unless_filled() -> None:
    text = SAMPLE.replace('fraction = "0.5"', 'fraction = "1/4"')
    error = _problems(text)
    assert any("PERF" in i.message and "1/4 unclaimed" in i.message for i in error.issues)
    parsed = parse_catalog(text, fmt="toml", base_dir=Path("."), fill_unclaimed=True)
    filler = [s for s in parsed.batch.shares if s.party_id == UNCLAIMED_PARTY_ID]
    assert len(filler) == 1
    assert filler[0].subject_kind is SubjectKind.WORK
    assert filler[0].fraction == Fraction(1, 4)


def test_over_one_is_never_filled() -> None:
    text = SAMPLE.replace('fraction = "0.5"', 'fraction = "3/4"')
    error = _problems(text, fill=True)
    assert any("too much" in i.message for i in error.issues)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('id = "party-moss"', 'id = "party-bluefin"', "already used on line"),
        ('isrc = "qzme12400002"', 'isrc = "QZ-ME1"', "ISRC"),
        ('ipi = "37183000125"', 'ipi = "37183000126"', "wrong check digits"),
        ('fraction = "0.5"', 'fraction = "-1"', "fraction"),
        ('fraction = "0.5"', 'fraction = "3/2"', "between 0 and 1"),
        ('kind = "LABEL"\n', 'kind = "BAND"\n', "must be one of"),
        ('styles = ["lofi", "acoustic"]\nterr', 'styles = ["polka"]\nterr', "unknown style"),
        ("VOICE_SWAP = { PERF", "COVERX = { PERF", "unknown transformation"),
        (
            'COVER = { PERF = "1/2", MECH = "1/2" }',
            'COVER = { PERF = "1/2", LIKENESS = "1/2" }',
            "LIKENESS belongs only in VOICE_SWAP",
        ),
        ('voice_models = ["voice-rune"]', 'voice_models = ["voice-ghost"]', "unknown voice model"),
        ('work = "work-fern-and-flint"\ntitle', 'work = "work-missing"\ntitle', "unknown work"),
        ('party = "party-moss"\nopted_in', 'party = "party-bluefin"\nopted_in', "independent"),
        ("duration_s = 38", "duration_s = -3", "positive number"),
        ('fraction = "1"\nvalid_to', 'fracton = "1"\nvalid_to', "unknown field 'fracton'"),
    ],
)
def test_single_mistakes_are_caught(old: str, new: str, expected: str) -> None:
    assert old in SAMPLE
    error = _problems(SAMPLE.replace(old, new, 1))
    assert expected in str(error)
    assert all(issue.line > 0 for issue in error.issues)


def test_the_explicit_flag_is_read_from_both_formats() -> None:
    alias = 'aliases = ["Hafenlichter"]\n'
    marked = SAMPLE.replace(alias, alias + "explicit = true\n", 1)
    parsed = parse_catalog(marked, fmt="toml", base_dir=Path("/s"), fill_unclaimed=False)
    assert {r.id: r.explicit for r in parsed.batch.recordings} == {
        "rec-harbor-lights": True, "rec-fern-and-flint": False
    }
    assert "'explicit' must be true or false" in str(_problems(marked.replace("= true", '= "maybe"')))
    sheet = CSV.replace(",styles,territories\n", ",styles,territories,explicit\n", 1)
    sheet = sheet.replace(",,\n", ",,,yes\n", 1).replace("GB|IE\n", "GB|IE,\n", 1)
    parsed = parse_catalog(sheet, fmt="csv", base_dir=Path("/s"), fill_unclaimed=False)
    assert {r.id: r.explicit for r in parsed.batch.recordings} == {"rec-a": True, "rec-b": False}


def test_toml_syntax_error_gives_its_line() -> None:
    text = SAMPLE.replace('title = "Harbor Lights"', 'title = "Harbor Lights', 1)
    error = _problems(text)
    assert error.issues[0].line == _line_of(text, 'title = "Harbor Lights')
    assert "not valid TOML" in error.issues[0].message


def test_unknown_table_is_reported() -> None:
    error = _problems(SAMPLE + '\n[[songs]]\nid = "x"\n')
    assert "unknown table 'songs'" in str(error)


def test_voice_swap_needs_voice_models() -> None:
    text = SAMPLE.replace('voice_models = ["voice-rune"]\n', "", 1)
    assert "VOICE_SWAP needs 'voice_models'" in str(_problems(text))


CSV = (DATA / "sample_catalog.csv").read_text(encoding="utf-8")


def test_csv_sheet_imports() -> None:
    parsed = parse_catalog(CSV, fmt="csv", base_dir=Path("/s"), fill_unclaimed=False)
    batch = parsed.batch
    assert parsed.lines == {"rec-a": 2, "rec-b": 3}
    assert parsed.audio_paths == {"rec-a": Path("/s/a.flac")}
    assert {p.id for p in batch.parties} == {
        "party-bluefin-records",
        "party-bluefin-publishing",
        "party-odile-carver",
        "party-moss-ember",
    }
    terms = dict(batch.licenses)
    assert terms["rec-b"].territories == {"GB", "IE"}
    assert terms["rec-a"].styles is None
    perf_a = [s for s in batch.shares if s.subject_id == "work-a" and s.right is RightType.PERF]
    assert sorted(s.fraction for s in perf_a) == [Fraction(1, 2), Fraction(1, 2)]


def test_csv_problems_have_sheet_line_numbers() -> None:
    bad = CSV.replace("T-300.400.502-7", "T-300.400.502-1").replace("QZBF12400001", "QZBF1240")
    error = _problems(bad, fmt="csv")
    assert str(error).startswith("catalog.csv has 2 problems:")
    assert [i.line for i in error.issues] == [2, 3]


def test_csv_header_must_be_complete() -> None:
    error = _problems("recording_id,title\nx,y\n", fmt="csv")
    assert "header lacks column(s)" in str(error)


@pytest.mark.parametrize(("text", "fmt"), [("", "toml"), ("# nothing\n", "toml"), ("", "csv")])
def test_an_empty_file_is_refused(text: str, fmt: str) -> None:
    assert _problems(text, fmt=fmt).issues[0].line == 1


def test_toml_lines_count_only_newlines() -> None:
    """A line separator pasted into a title (U+2028) does not shift later lines."""
    text = SAMPLE.replace('aliases = ["Hafenlichter"]', 'aliases = ["Hafen\u2028lichter"]', 1)
    text = text.replace('isrc = "qzme12400002"', 'isrc = "nonsense"', 1)
    error = _problems(text)
    expected = text.split("\n").index('[[recordings]]', _line_of(text, "Hafen")) + 1
    assert [issue.line for issue in error.issues] == [expected]


def test_a_file_is_read_by_its_suffix_and_named_as_given() -> None:
    data = SAMPLE.encode()
    parsed = parse_catalog_file(data, name="in/my.TOML", base_dir=Path("/c"), fill_unclaimed=False)
    assert len(parsed.batch.recordings) == 2
    with pytest.raises(CatalogImportError) as info:
        parse_catalog_file(b"{}", name="in/my.json", base_dir=Path("/c"), fill_unclaimed=False)
    assert str(info.value).startswith("in/my.json has 1 problem:\n  this is a .json file")
    bad = data.replace(b"The Quiet Coast", b"The Qui\xe9t Coast")
    with pytest.raises(CatalogImportError) as info:
        parse_catalog_file(bad, name="x.toml", base_dir=Path("/c"), fill_unclaimed=False)
    assert [i.line for i in info.value.issues] == [_line_of(SAMPLE, "The Quiet Coast")]
    assert "0xE9" in str(info.value)
