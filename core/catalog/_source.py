"""From a catalog file's name and bytes to the text the parsers read, or why not.

The suffix decides the format, and only ``.toml`` and ``.csv`` are read: a
``.json`` file parsed as TOML would fail with a TOML syntax error that points
the editor the wrong way. Bytes that are not UTF-8 are reported on their own
line (counted like the parsers count, at ``\\n``) and replaced, so the rest of
the file is still read and every other problem keeps its true line number.
"""

from __future__ import annotations

from pathlib import PurePath

from core.catalog.errors import CatalogImportError, ImportIssue

FORMATS = {".toml": "toml", ".csv": "csv"}
_BOM = b"\xef\xbb\xbf"  # spreadsheet programs start their UTF-8 CSV with one


def format_of(name: str) -> str:
    """``"toml"`` or ``"csv"`` from the file's suffix; any other suffix is refused."""
    suffix = PurePath(name).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        what = f"a {suffix} file" if suffix else "a file without a suffix"
        raise CatalogImportError(
            [ImportIssue(0, f"this is {what}; Refrain reads catalogs from .toml or .csv files")],
            name,
        )
    return fmt


def decode(data: bytes, name: str) -> tuple[str, list[ImportIssue]]:
    """The file's text, and an issue for each line holding bytes that are not UTF-8."""
    if b"\x00" in data:
        raise CatalogImportError(
            [ImportIssue(0, "this is not a text file (is it a binary file?)")], name
        )
    data = data.removeprefix(_BOM)
    issues = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            issues.append(
                ImportIssue(
                    number,
                    f"byte 0x{line[exc.start]:02X} is not UTF-8 text; save the file as UTF-8 "
                    "(it may have been saved as Latin-1 or Windows-1252)",
                )
            )
    return data.decode("utf-8", errors="replace"), issues
