"""Import errors, worded so a catalog editor can fix every cause in one go.

They live apart from the parsers so that callers (the CLI, the admin
commands) can catch them without importing the format modules.
``InvalidIdentifier`` and ``ShareSumError`` live with the checks that raise
them (``identifiers``, ``shares``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserFacing


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in a catalog file, tied to the line an editor must change.

    Line 0 is the file as a whole (its format, its encoding).
    """

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class CatalogImportError(UserFacing, ValueError):
    """A catalog file was refused; nothing of it was imported.

    The message lists every problem, not just the first, because fixing a
    file one error per run is miserable.
    """

    def __init__(self, issues: list[ImportIssue], filename: str = "catalog") -> None:
        self.issues = sorted(issues, key=lambda issue: issue.line)
        self.filename = filename
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        body = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{filename} has {count} {noun}:\n{body}")
