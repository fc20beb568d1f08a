"""House rule 1: the domain imports no platform, web or database library."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("discord", "telegram", "aiohttp", "sqlalchemy")
CORE = Path(__file__).resolve().parents[2] / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_no_adapter_libraries() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 20, "the core package moved?"
    offenders = {
        f"{path.relative_to(CORE.parent)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not offenders, sorted(offenders)


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy.orm\nfrom discord import app_commands\n")
    assert {"sqlalchemy.orm", "discord"} <= imported_modules(bad)
