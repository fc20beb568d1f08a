"""Catalog import: turn a catalog file into a validated ``CatalogBatch``, or say why not.

Pure: the text comes in, the batch and the audio paths (resolved against
``base_dir``) come out; reading files and hashing audio is the caller's job.
All or nothing: every problem in the file is collected as an
``ImportIssue(line, message)`` and raised together as ``CatalogImportError``,
so an editor fixes the whole file in one go and storage never sees half a
catalog.

TOML format (``catalog.toml``; see ``tests/core/catalog/data/sample_catalog.toml``)
==================================================================================

Every entity is an array-of-tables entry. Ids are yours to choose and must be
unique per kind; references must point to entries in the same file (plus the
system parties ``party-unclaimed`` and ``party-escrow``). Fractions are
written as strings, ``"1/3"`` or ``"0.25"``, and read exactly.

.. code-block:: toml

    [[parties]]
    id = "party-harbor"            # required
    name = "Harbor Records"        # required
    kind = "LABEL"                 # ARTIST SONGWRITER PUBLISHER LABEL VOICE_OWNER REMIXER
    ipi = "00014107338"            # optional, 11-digit IPI name number (checked)
    currency = "EUR"               # optional payout currency, default EUR
    independent = false            # optional; only independents may [[opt]]

    [[works]]
    id = "work-golden-hour"
    title = "Golden Hour"
    iswc = "T-034.524.680-1"       # check digit verified

    [[recordings]]
    id = "rec-golden-hour"
    work = "work-golden-hour"
    title = "Golden Hour"
    artist = "Lumen Avenue"
    isrc = "QZ-HB1-24-00001"
    duration_s = 36.0
    audio = "audio/golden_hour.flac"                     # optional, relative to the file
    stems = { drums = "stems/gh_drums.flac", vocals = "stems/gh_vocals.flac" }  # optional
    aliases = ["Goldene Stunde"]                         # optional, searchable
    explicit = false                                     # optional: the label's explicit flag

    [[shares]]
    work = "work-golden-hour"      # exactly one of work / recording / voice_model
    party = "party-harbor"
    right = "PERF"                 # PERF MECH MASTER LIKENESS REMIXER
    fraction = "1/2"
    territory = "WW"               # optional, WW (default) or a country code
    valid_from = 2024-01-01        # optional, inclusive
    valid_to = 2030-01-01          # optional, exclusive

    [[licenses]]                   # at most one per recording per file
    recording = "rec-golden-hour"
    transformations = ["COVER", "REMIX", "VOICE_SWAP"]
    styles = ["lofi", "acoustic"]  # optional; omitted means any style
    voice_models = ["voice-ada"]   # required when VOICE_SWAP is allowed
    max_seconds = { free = 30, fan = 60, pro = 120 }
    territories = ["WW"]           # optional, default WW
    valid_from = 2024-01-01T00:00:00Z  # optional; dates mean midnight UTC
    valid_to = 2027-01-01T00:00:00Z
    [licenses.buckets]             # one per allowed transformation, each sums to 1
    COVER = { PERF = "0.3", MECH = "0.3", MASTER = "0.4" }
    REMIX = { PERF = "1/4", MECH = "1/4", MASTER = "1/2" }
    VOICE_SWAP = { PERF = "0.2", MECH = "0.2", MASTER = "0.3", LIKENESS = "0.3" }

    [[opt]]                        # an independent holder's declaration
    work = "work-golden-hour"      # or recording = ...
    party = "party-indie"
    opted_in = false
    transformations = ["COVER"]    # optional limits when opted in
    styles = ["lofi"]
    territories = ["DE"]

    [[voice_models]]
    id = "voice-ada"
    name = "Ada Nova"
    owner = "party-ada"
    consent_sha256 = "<64 hex digits of the signed consent document>"
    consent_scope = "covers of catalog songs, non-exclusive"
    consent_date = 2024-03-01
    revoked_at = 2025-01-01T00:00:00Z   # optional

Shares of one right in one subject must sum to exactly 1 on every day in
every territory (``core.catalog.shares``); ``fill_unclaimed`` gives the gaps
to ``party-unclaimed`` instead of refusing the file. LIKENESS appears only
in VOICE_SWAP buckets.

CSV format (``catalog.csv``): a flat sheet for simple catalogs
==============================================================

One row per recording, a header row first (any column order). Required
columns: ``recording_id, work_id, title, artist, isrc, iswc, duration_s,
master_holder, publisher, writer``. Optional: ``audio`` (path),
``aliases``, ``explicit`` (true for a recording its label marks explicit:
servers with ``nsfw-filter on`` refuse it), ``writer_ipi``, ``publisher_ipi``, ``writer_share`` (the
writer's PERF and MECH share, default ``1/2``; the publisher gets the
rest), ``independent`` (true makes the label and publisher independent),
``transformations`` (default ``COVER|REMIX``; VOICE_SWAP needs TOML),
``styles`` (blank: any), ``territories`` (default ``WW``) and
``max_seconds`` (default ``free=30|fan=60|pro=120``). Lists use ``|``.
Parties are named, not numbered: their id is ``party-`` plus the slug of
the name. The master holder gets MASTER 1/1 of the recording; buckets are
``DEFAULT_BUCKETS`` in ``_csv_format``. Line numbers count the header as 1.
"""

from __future__ import annotations

from pathlib import Path

from core.catalog._csv_format import parse_csv
from core.catalog._draft import CatalogFile, Draft
from core.catalog._existing import clashes_with_catalog
from core.catalog._source import decode, format_of
from core.catalog._toml_format import parse_toml
from core.catalog.errors import CatalogImportError, ImportIssue

__all__ = [
    "CatalogFile",
    "CatalogImportError",
    "ImportIssue",
    "clashes_with_catalog",
    "parse_catalog",
    "parse_catalog_file",
]


def parse_catalog(
    text: str,
    *,
    fmt: str,
    base_dir: Path,
    fill_unclaimed: bool,
    filename: str | None = None,
) -> CatalogFile:
    """Parse and validate a whole catalog file.

    Args:
        text: the file's contents.
        fmt: ``"toml"`` or ``"csv"``.
        base_dir: the folder the file came from; audio and stem paths are
            resolved against it.
        fill_unclaimed: give unclaimed parts of a right to ``party-unclaimed``
            rather than refusing the file.
        filename: how messages name the file (default ``catalog.<fmt>``).

    Raises:
        CatalogImportError: listing every problem with its line.
    """
    return _parse(text, [], fmt, base_dir, fill_unclaimed, filename or f"catalog.{fmt}")


def parse_catalog_file(
    data: bytes, *, name: str, base_dir: Path, fill_unclaimed: bool
) -> CatalogFile:
    """Parse and validate a catalog file's bytes; ``name`` (as given) picks the format.

    Raises:
        CatalogImportError: naming ``name``, for a suffix other than .toml or
            .csv, a binary file, bytes that are not UTF-8 (each on its line,
            with the file's other problems) and every problem ``parse_catalog``
            finds.
    """
    fmt = format_of(name)
    text, issues = decode(data, name)
    return _parse(text, issues, fmt, base_dir, fill_unclaimed, name)


def _parse(
    text: str,
    issues: list[ImportIssue],
    fmt: str,
    base_dir: Path,
    fill_unclaimed: bool,
    filename: str,
) -> CatalogFile:
    draft = Draft(issues=list(issues))
    if fmt == "toml":
        parse_toml(text, base_dir, draft)
    elif fmt == "csv":
        parse_csv(text, base_dir, draft)
    else:
        raise ValueError(f"unknown catalog format {fmt!r}; use 'toml' or 'csv'")
    return draft.finish(fill_unclaimed=fill_unclaimed, filename=filename)
