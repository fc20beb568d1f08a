"""Reading the flat CSV catalog sheet into a ``Draft`` (see ``importer`` for the columns).

Spreadsheets name parties rather than giving them ids, so a party's id is
derived from its name (``party-`` + slug) and every row naming it refers to
the same party. Rows that share a work must agree on that work's data.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from fractions import Fraction
from pathlib import Path

from core.catalog._draft import Draft
from core.catalog._fields import Row
from core.catalog.errors import ImportIssue
from core.catalog.identifiers import validate_ipi, validate_isrc, validate_iswc
from core.model import (
    WORLDWIDE,
    LicenseTerms,
    Party,
    PartyKind,
    Recording,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    Work,
)
from core.stylebook import STYLES

REQUIRED = (
    "recording_id",
    "work_id",
    "title",
    "artist",
    "isrc",
    "iswc",
    "duration_s",
    "master_holder",
    "publisher",
    "writer",
)
OPTIONAL = (
    "audio",
    "aliases",
    "explicit",
    "writer_ipi",
    "publisher_ipi",
    "writer_share",
    "independent",
    "transformations",
    "styles",
    "territories",
    "max_seconds",
)

DEFAULT_BUCKETS: dict[Transformation, dict[RightType, Fraction]] = {
    Transformation.COVER: {
        RightType.PERF: Fraction(3, 10),
        RightType.MECH: Fraction(3, 10),
        RightType.MASTER: Fraction(2, 5),
    },
    Transformation.REMIX: {
        RightType.PERF: Fraction(1, 4),
        RightType.MECH: Fraction(1, 4),
        RightType.MASTER: Fraction(1, 2),
    },
}
"""Bucket templates for sheet imports, which have no column for them."""

DEFAULT_MAX_SECONDS = {"free": 30, "fan": 60, "pro": 120}


def party_id_for(name: str) -> str:
    """A stable id from a party name: ``Harbor Records`` → ``party-harbor-records``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "party-" + re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def parse_csv(text: str, base_dir: Path, draft: Draft) -> None:
    """Fill ``draft`` from CSV text (header row first); problems go to ``draft.issues``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        draft.issues.append(ImportIssue(1, "the sheet is empty; the first row must be the header"))
        return
    missing = [column for column in REQUIRED if column not in header]
    unknown = [column for column in header if column not in REQUIRED + OPTIONAL]
    if missing:
        draft.issues.append(ImportIssue(1, f"header lacks column(s): {', '.join(missing)}"))
    if unknown:
        draft.issues.append(ImportIssue(1, f"header has unknown column(s): {', '.join(unknown)}"))
    if missing or unknown:
        return
    sheet = _Sheet(draft, base_dir)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            draft.issues.append(ImportIssue(reader.line_num, f"not valid CSV: {exc}"))
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            draft.issues.append(
                ImportIssue(
                    reader.line_num, f"has {len(cells)} cells but the header has {len(header)}"
                )
            )
            continue
        data = {key: cell.strip() for key, cell in zip(header, cells, strict=True)}
        sheet.row(Row(data, reader.line_num, draft.issues, "row"))


class _Sheet:
    """Turns rows into entities, remembering parties and works seen in earlier rows."""

    def __init__(self, draft: Draft, base_dir: Path) -> None:
        self.draft = draft
        self.base_dir = base_dir
        self.parties: dict[str, Party] = {}
        self.works: dict[str, tuple[int, tuple[str, str, str, Fraction]]] = {}

    def party(self, row: Row, name: str | None, kind: PartyKind, ipi_key: str | None) -> str | None:
        if not name:
            return None
        ipi = row.identifier(ipi_key, validate_ipi) if ipi_key and row.has(ipi_key) else None
        independent = bool(row.boolean("independent", False)) and kind is not PartyKind.SONGWRITER
        party_id = party_id_for(name)
        known = self.parties.get(party_id)
        if known is None:
            party = Party(party_id, name, kind, ipi, "EUR", independent)
            self.parties[party_id] = party
            self.draft.parties.append((row.line, party))
        elif ipi is not None and known.ipi is not None and ipi != known.ipi:
            row.error(f"{name} has IPI {ipi} here but {known.ipi} on an earlier row")
        return party_id

    def row(self, row: Row) -> None:
        rec_id, work_id = row.text("recording_id"), row.text("work_id")
        title, artist = row.text("title"), row.text("artist")
        isrc = row.identifier("isrc", validate_isrc)
        iswc = row.identifier("iswc", validate_iswc)
        duration = row.positive_number("duration_s")
        label = self.party(row, row.text("master_holder"), PartyKind.LABEL, None)
        publisher = self.party(row, row.text("publisher"), PartyKind.PUBLISHER, "publisher_ipi")
        writer = self.party(row, row.text("writer"), PartyKind.SONGWRITER, "writer_ipi")
        writer_share = row.fraction("writer_share") if row.has("writer_share") else Fraction(1, 2)
        terms = self.terms(row)
        if not (rec_id and work_id and title and artist and isrc and iswc and duration):
            return
        if not (label and publisher and writer and writer_share is not None and terms):
            return
        self.work(row, work_id, title, iswc, publisher, writer, writer_share)
        aliases = tuple(row.str_list("aliases") or ())
        explicit = bool(row.boolean("explicit", False))
        recording = Recording(
            rec_id, work_id, title, artist, isrc, duration, aliases=aliases, explicit=explicit
        )
        self.draft.recordings.append((row.line, recording))
        master = Share(SubjectKind.RECORDING, rec_id, label, RightType.MASTER, Fraction(1))
        self.draft.shares.append((row.line, master))
        self.draft.licenses.append((row.line, rec_id, terms))
        audio = row.optional_text("audio")
        if audio:
            self.draft.audio_paths[rec_id] = self.base_dir / audio

    def work(
        self,
        row: Row,
        work_id: str,
        title: str,
        iswc: str,
        publisher: str,
        writer: str,
        writer_share: Fraction,
    ) -> None:
        facts = (iswc, publisher, writer, writer_share)
        seen = self.works.get(work_id)
        if seen is not None:
            if seen[1] != facts:
                row.error(
                    f"work {work_id} has a different ISWC, publisher, writer or writer_share "
                    f"than on line {seen[0]}"
                )
            return
        self.works[work_id] = (row.line, facts)
        self.draft.works.append((row.line, Work(work_id, title, iswc)))
        for right in (RightType.PERF, RightType.MECH):
            for party, fraction in ((writer, writer_share), (publisher, 1 - writer_share)):
                if fraction:
                    share = Share(SubjectKind.WORK, work_id, party, right, fraction)
                    self.draft.shares.append((row.line, share))

    def terms(self, row: Row) -> LicenseTerms | None:
        transformations = row.enums("transformations", Transformation, "transformation")
        if transformations is None or not row.has("transformations"):
            transformations = frozenset({Transformation.COVER, Transformation.REMIX})
        if Transformation.VOICE_SWAP in transformations:
            row.error("VOICE_SWAP needs voice models and a LIKENESS split: use the TOML format")
            return None
        styles = row.str_list("styles") if row.has("styles") else None
        for style in styles or ():
            if style not in STYLES:
                row.error(f"unknown style '{style}' (known: {', '.join(sorted(STYLES))})")
        territories = (
            row.territories("territories") if row.has("territories") else None
        ) or frozenset({WORLDWIDE})
        max_seconds = _max_seconds(row)
        if max_seconds is None:
            return None
        return LicenseTerms(
            transformations=transformations,
            styles=frozenset(styles) if styles is not None else None,
            max_seconds_by_tier=max_seconds,
            territories=territories,
            bucket_templates={t: dict(DEFAULT_BUCKETS[t]) for t in transformations},
        )


def _max_seconds(row: Row) -> dict[str, int] | None:
    """``free=30|fan=60|pro=120``; blank means those defaults."""
    if not row.has("max_seconds"):
        return dict(DEFAULT_MAX_SECONDS)
    result: dict[str, int] = {}
    for item in row.str_list("max_seconds") or ():
        tier, _, seconds = item.partition("=")
        if not seconds.strip().isdigit() or int(seconds) <= 0:
            row.error(f"max_seconds item '{item}' must look like free=30")
            return None
        result[tier.strip()] = int(seconds)
    return result
