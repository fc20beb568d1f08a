"""House rule 1: the domain imports no platform, web, database or audio library;
the audio engine imports nothing from the adapters, storage or the wiring."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE_FORBIDDEN = (
    "discord", "telegram", "aiohttp", "sqlalchemy", "asyncpg", "redis", "arq",
    "numpy", "scipy", "torch", "demucs", "pyworld", "soundfile", "pedalboard",
    "engine", "storage", "jobs", "bots", "web", "refrain",
)
ENGINE_FORBIDDEN = ("bots", "web", "storage", "refrain", "jobs", "discord", "telegram", "aiohttp",
                    "sqlalchemy")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert len(files) > 20, f"the {package} package moved?"
    return sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] in forbidden
    )


def test_core_imports_no_adapter_database_or_audio_library() -> None:
    assert offenders("core", CORE_FORBIDDEN) == []


def test_the_engine_imports_no_adapter_storage_or_wiring() -> None:
    assert offenders("engine", ENGINE_FORBIDDEN) == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy.orm\nfrom discord import app_commands\nimport numpy as np\n")
    assert {"sqlalchemy.orm", "discord", "numpy"} <= imported_modules(bad)
