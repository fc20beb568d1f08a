"""The one check a catalog file needs the stored catalog for: codes other ids already hold.

``_draft`` checks a file on its own; an ISRC or ISWC that an earlier import
gave to another recording or work can only be seen against what is stored.
Caught here, the editor reads which entry holds the code instead of storage
meeting its unique constraint halfway through the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.catalog._draft import CatalogFile
from core.catalog.errors import ImportIssue
from core.model import Recording, Work


def clashes_with_catalog(
    parsed: CatalogFile, recordings: Iterable[Recording], works: Iterable[Work]
) -> list[ImportIssue]:
    """An issue for each entry of the file whose ISRC/ISWC another stored id holds.

    Entries the file itself declares again are judged by their new codes, so
    re-importing a file, or moving a code from one of its entries to another,
    is not a clash.
    """
    batch = parsed.batch
    issues = _clashes(
        [(r.id, r.isrc) for r in batch.recordings],
        {r.isrc: (r.id, f"recording “{r.title}” ({r.id})") for r in recordings if r.isrc},
        parsed.lines,
        "ISRC",
        "recording",
    )
    issues += _clashes(
        [(w.id, w.iswc) for w in batch.works],
        {w.iswc: (w.id, f"work “{w.title}” ({w.id})") for w in works if w.iswc},
        parsed.work_lines,
        "ISWC",
        "work",
    )
    return issues


def _clashes(
    entries: list[tuple[str, str]],
    stored: Mapping[str, tuple[str, str]],
    lines: Mapping[str, int],
    code_kind: str,
    entry_kind: str,
) -> list[ImportIssue]:
    redeclared = {entry_id for entry_id, _code in entries}
    issues = []
    for entry_id, code in entries:
        holder = stored.get(code) if code else None
        if holder is None or holder[0] in redeclared:
            continue
        holder_id, holder_words = holder
        issues.append(
            ImportIssue(
                lines.get(entry_id, 0),
                f"{entry_kind} {entry_id}: {code_kind} {code} is already used by {holder_words} "
                f"in the catalog; give {entry_id} its own {code_kind}, or import it as "
                f"id '{holder_id}' to update that {entry_kind}",
            )
        )
    return issues
