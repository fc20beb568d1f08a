"""Reading the TOML catalog format into a ``Draft`` (see ``importer`` for the format).

``tomllib`` forgets line numbers, so the text is scanned for ``[[table]]``
headers and the n-th entry of a table is tied to its n-th header: that is
the line an editor looks at.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from core.catalog._draft import Draft
from core.catalog._fields import Row
from core.catalog.errors import ImportIssue
from core.catalog.identifiers import validate_ipi, validate_isrc, validate_iswc
from core.model import (
    WORLDWIDE,
    ConsentRecord,
    LicenseTerms,
    OptDeclaration,
    Party,
    PartyKind,
    Recording,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    VoiceModel,
    Work,
)
from core.stylebook import STYLES

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]")
_TOML_LINE = re.compile(r"line (\d+)")
_SHA256 = re.compile(r"[0-9a-f]{64}")
STEM_NAMES = frozenset({"drums", "bass", "other", "vocals"})
_SUBJECT_KEYS = {
    "work": SubjectKind.WORK,
    "recording": SubjectKind.RECORDING,
    "voice_model": SubjectKind.VOICE_MODEL,
}


def parse_toml(text: str, base_dir: Path, draft: Draft) -> None:
    """Fill ``draft`` from TOML text; problems go to ``draft.issues``."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        draft.issues.append(
            ImportIssue(int(match.group(1)) if match else 1, f"not valid TOML: {exc}")
        )
        return
    headers = _header_lines(text)
    readers: dict[str, Callable[[Row, Path, Draft], None]] = {
        "parties": _party,
        "works": _work,
        "recordings": _recording,
        "shares": _share,
        "licenses": _license,
        "opt": _opt,
        "voice_models": _voice_model,
    }
    for name, value in document.items():
        lines = headers.get(name, [])
        reader = readers.get(name)
        if reader is None:
            line = lines[0] if lines else 1
            draft.issues.append(
                ImportIssue(line, f"unknown table '{name}' (expected [[{']], [['.join(readers)}]])")
            )
            continue
        if not isinstance(value, list):
            draft.issues.append(ImportIssue(1, f"'{name}' must be written as [[{name}]] entries"))
            continue
        for index, entry in enumerate(value):
            line = lines[index] if index < len(lines) else (lines[-1] if lines else 1)
            if not isinstance(entry, Mapping):
                draft.issues.append(ImportIssue(line, f"[[{name}]] entry must be a table"))
                continue
            reader(Row(entry, line, draft.issues, f"[[{name}]]"), base_dir, draft)


def _header_lines(text: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    in_multiline = False
    # TOML counts lines at "\n" only; splitlines() would also break at U+2028,
    # form feeds and the like, and every later header would be off by one.
    for number, line in enumerate(text.split("\n"), start=1):
        # A header inside a multi-line string is text, not a table.
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_multiline = not in_multiline
        if in_multiline:
            continue
        match = _HEADER.match(line)
        if match:
            found.setdefault(match.group(1), []).append(number)
    return found


def _party(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown({"id", "name", "kind", "ipi", "currency", "independent"})
    party_id, name = row.text("id"), row.text("name")
    kind = _enum(row, "kind", PartyKind)
    ipi = row.identifier("ipi", validate_ipi) if row.has("ipi") else None
    currency = (row.optional_text("currency") or "EUR").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        row.error(f"'currency' must be a 3-letter code like EUR, not {currency!r}")
    independent = row.boolean("independent", False)
    if party_id and name and kind and independent is not None:
        party = Party(party_id, name, kind, ipi, currency, independent)
        draft.parties.append((row.line, party))


def _work(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown({"id", "title", "iswc"})
    work_id, title = row.text("id"), row.text("title")
    iswc = row.identifier("iswc", validate_iswc)
    if work_id and title:
        # Kept even with a bad ISWC (already reported) so that references to
        # the work do not pile up follow-on errors.
        draft.works.append((row.line, Work(work_id, title, iswc or "")))


def _recording(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown(
        {"id", "work", "title", "artist", "isrc", "duration_s", "audio", "stems", "aliases",
         "explicit"}
    )  # fmt: skip
    rec_id, work_id = row.text("id"), row.text("work")
    title, artist = row.text("title"), row.text("artist")
    isrc = row.identifier("isrc", validate_isrc)
    duration = row.positive_number("duration_s")
    aliases = tuple(row.str_list("aliases") or ())
    explicit = bool(row.boolean("explicit", False))
    audio = row.optional_text("audio")
    stems: dict[str, Path] = {}
    for stem, value in (row.table("stems") or {}).items():
        if stem not in STEM_NAMES:
            row.error(f"unknown stem '{stem}' (expected {', '.join(sorted(STEM_NAMES))})")
        elif not isinstance(value, str) or not value.strip():
            row.error(f"stem '{stem}' must be a file path")
        else:
            stems[stem] = base_dir / value.strip()
    if not (rec_id and work_id and title and artist):
        return
    # Kept with a bad ISRC or duration (already reported) to avoid follow-on errors.
    recording = Recording(
        rec_id, work_id, title, artist, isrc or "", duration or 0.0, aliases=aliases,
        explicit=explicit,
    )
    draft.recordings.append((row.line, recording))
    if audio:
        draft.audio_paths[rec_id] = base_dir / audio
    if stems:
        draft.stem_paths[rec_id] = stems


def _subject(row: Row, allowed: tuple[str, ...]) -> tuple[SubjectKind, str] | None:
    given = [key for key in allowed if row.has(key)]
    if len(given) != 1:
        row.error(f"name exactly one of {' / '.join(allowed)} (found {len(given)})")
        return None
    subject_id = row.text(given[0])
    return (_SUBJECT_KEYS[given[0]], subject_id) if subject_id else None


def _share(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown(
        {
            "work",
            "recording",
            "voice_model",
            "party",
            "right",
            "fraction",
            "territory",
            "valid_from",
            "valid_to",
        }
    )
    subject = _subject(row, ("work", "recording", "voice_model"))
    party = row.text("party")
    right = _enum(row, "right", RightType)
    fraction = row.fraction("fraction")
    territory = row.territory("territory")
    start, end = row.day("valid_from"), row.day("valid_to")
    if start is not None and end is not None and start >= end:
        row.error(f"'valid_to' ({end}) must come after 'valid_from' ({start})")
        return
    if subject and party and right and fraction is not None:
        share = Share(subject[0], subject[1], party, right, fraction, territory, start, end)
        draft.shares.append((row.line, share))


def _license(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown(
        {
            "recording",
            "transformations",
            "styles",
            "voice_models",
            "max_seconds",
            "territories",
            "valid_from",
            "valid_to",
            "buckets",
        }
    )
    recording = row.text("recording")
    transformations = row.enums("transformations", Transformation, "transformation")
    if not transformations:
        row.error("'transformations' must list at least one of COVER, REMIX, VOICE_SWAP")
        return
    styles = row.str_list("styles")
    for style in styles or ():
        if style not in STYLES:
            row.error(f"unknown style '{style}' (known: {', '.join(sorted(STYLES))})")
    voices = frozenset(row.str_list("voice_models") or ())
    max_seconds = _max_seconds(row)
    territories = row.territories("territories") or frozenset({WORLDWIDE})
    start, end = row.moment("valid_from"), row.moment("valid_to")
    if start is not None and end is not None and start >= end:
        row.error(f"'valid_to' ({end}) must come after 'valid_from' ({start})")
    buckets = _buckets(row, transformations)
    if recording and buckets is not None and max_seconds is not None:
        terms = LicenseTerms(
            transformations=transformations,
            styles=frozenset(styles) if styles is not None else None,
            voice_models=voices,
            max_seconds_by_tier=max_seconds,
            territories=territories,
            valid_from=start,
            valid_to=end,
            bucket_templates=buckets,
        )
        draft.licenses.append((row.line, recording, terms))


def _max_seconds(row: Row) -> dict[str, int] | None:
    table = row.table("max_seconds")
    if table is None:
        row.error("'max_seconds' is missing, e.g. { free = 30, fan = 60, pro = 120 }")
        return None
    result: dict[str, int] = {}
    for tier, seconds in table.items():
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
            row.error(f"max_seconds.{tier} must be a positive whole number, not {seconds!r}")
        else:
            result[tier] = seconds
    return result


def _buckets(
    row: Row, allowed: frozenset[Transformation]
) -> dict[Transformation, dict[RightType, Fraction]] | None:
    """Per transformation, how each royalty unit splits between right types (sums to 1)."""
    table = row.table("buckets")
    if table is None:
        row.error('\'buckets\' is missing, e.g. COVER = { PERF = "0.3", MECH = "0.3", ... }')
        return None
    result: dict[Transformation, dict[RightType, Fraction]] = {}
    ok = True
    for name, split in table.items():
        try:
            transformation = Transformation(name.upper())
        except ValueError:
            row.error(f"buckets: unknown transformation '{name}'")
            ok = False
            continue
        if transformation not in allowed:
            row.error(f"buckets.{name}: the license does not allow {name}")
            ok = False
        if not isinstance(split, Mapping):
            row.error(f'buckets.{name} must be a table like {{ PERF = "1/2", MECH = "1/2" }}')
            ok = False
            continue
        inner = Row(split, row.line, row.issues, f"{row.what} buckets.{name}")
        parts: dict[RightType, Fraction] = {}
        for key in split:
            try:
                right = RightType(key.upper())
            except ValueError:
                inner.error(f"unknown right type '{key}'")
                ok = False
                continue
            if right is RightType.LIKENESS and transformation is not Transformation.VOICE_SWAP:
                inner.error("LIKENESS belongs only in VOICE_SWAP (no voice is used otherwise)")
                ok = False
            value = inner.fraction(key)
            if value is None:
                ok = False
            else:
                parts[right] = value
        total = sum(parts.values(), Fraction(0))
        if ok and total != 1:
            inner.error(f"fractions sum to {total}, not exactly 1")
            ok = False
        result[transformation] = parts
    for missing in sorted(allowed - set(result), key=lambda t: t.value):
        row.error(f"buckets.{missing.value} is missing: say how its royalties split")
        ok = False
    return result if ok else None


def _opt(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown(
        {"work", "recording", "party", "opted_in", "transformations", "styles", "territories"}
    )
    subject = _subject(row, ("work", "recording"))
    party = row.text("party")
    opted_in = row.boolean("opted_in", None)
    transformations = row.enums("transformations", Transformation, "transformation")
    styles = row.str_list("styles")
    territories = row.territories("territories")
    if subject and party and opted_in is not None:
        declaration = OptDeclaration(
            subject_kind=subject[0],
            subject_id=subject[1],
            party_id=party,
            opted_in=opted_in,
            transformations=transformations,
            styles=frozenset(styles) if styles is not None else None,
            territories=territories,
        )
        draft.opts.append((row.line, declaration))


def _voice_model(row: Row, base_dir: Path, draft: Draft) -> None:
    row.reject_unknown(
        {"id", "name", "owner", "consent_sha256", "consent_scope", "consent_date", "revoked_at"}
    )
    voice_id, name, owner = row.text("id"), row.text("name"), row.text("owner")
    digest = row.text("consent_sha256")
    if digest is not None and not _SHA256.fullmatch(digest.lower()):
        row.error("'consent_sha256' must be the 64 hex digits of the signed consent document")
        digest = None
    scope = row.text("consent_scope")
    signed = row.day("consent_date")
    if signed is None and not row.has("consent_date"):
        row.error("'consent_date' is missing")
    revoked = row.moment("revoked_at")
    if voice_id and name and owner and digest and scope and signed:
        consent = ConsentRecord(digest.lower(), scope, signed)
        draft.voices.append((row.line, VoiceModel(voice_id, name, owner, consent, revoked)))


_E = TypeVar("_E", bound=enum.Enum)


def _enum(row: Row, key: str, kind: type[_E]) -> _E | None:
    raw = row.text(key)
    if raw is None:
        return None
    try:
        return kind(raw.upper())
    except ValueError:
        known = ", ".join(str(member.value) for member in kind)
        row.error(f"'{key}' must be one of {known}, not {raw!r}")
        return None
