"""Every benchmark still runs: each ``benchmarks/*.py`` in ``--smoke`` mode, checked against the README.

The scripts are found by glob (a new one is covered without touching this
file; ``_``-prefixed modules are shared helpers, not benchmarks). Each runs
in its own process with this interpreter, and its last stdout line must be
a JSON object holding the machine it ran on and every key that README.md's
"Measured figures" table quotes for it. The keys come from the table itself
(its "keys" column, dotted for nested objects: ``embedded.p99_ack_s``), so
the README and the scripts cannot drift apart: renaming a key in a script
without the README, or quoting one the script does not print, fails here.

Scripts that talk to PostgreSQL or Redis use the machine's test services;
when one is down they are skipped loudly, and fail under ``$CI``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import require_redis

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))
MACHINE_KEYS = ("cpu_model", "cpus", "loadavg_1m", "calibration_s")
SERVICES = {"plays_ingest.py": ("postgres",), "royalty_run.py": ("postgres",), "queue_load.py": ("redis",)}
SMOKE_TIMEOUT_S = 120
FIGURES_HEADING = "## Measured figures"


def figures_table(readme: str) -> list[dict[str, str]]:
    """The rows of the README's measured-figures table, as header → cell text."""
    section = readme.split(FIGURES_HEADING, 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), f"README figures row with {len(cells)} cells: {line}"
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def readme_keys() -> dict[str, set[str]]:
    """Script file name → the JSON keys the README's figures table quotes for it."""
    keys: dict[str, set[str]] = {}
    for row in figures_table((ROOT / "README.md").read_text()):
        for script in re.findall(r"benchmarks/(\w+\.py)", row["benchmark"]):
            keys.setdefault(script, set()).update(re.findall(r"`([^`]+)`", row["keys"]))
    return keys


def lookup(line: dict[str, Any], dotted: str) -> bool:
    value: Any = line
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def test_the_readme_quotes_every_benchmark_with_its_machine() -> None:
    rows = figures_table((ROOT / "README.md").read_text())
    quoted = readme_keys()
    assert {p.name for p in BENCHMARKS} <= set(quoted), "a benchmark without a row in README's figures"
    for row in rows:
        assert re.findall(r"`[^`]+`", row["keys"]), f"no keys quoted for {row['benchmark']}"
        assert row["machine"], f"no machine for {row['benchmark']}"


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_runs_in_smoke_mode(script: Path, request: pytest.FixtureRequest) -> None:
    for service in SERVICES.get(script.name, ()):
        if service == "postgres":
            request.getfixturevalue("postgres")  # skips loudly (fails under CI) when down
        else:
            require_redis()
    try:
        done = subprocess.run([sys.executable, str(script), "--smoke"], cwd=ROOT, capture_output=True,
                              text=True, timeout=SMOKE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        said = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else error.stderr
        pytest.fail(f"{script.name} --smoke took over {SMOKE_TIMEOUT_S} s:\n{said}")
    assert done.returncode == 0, f"{script.name} --smoke failed:\n{done.stderr[-4000:]}"
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    try:
        line = json.loads(last)
    except json.JSONDecodeError:
        pytest.fail(f"{script.name}: the last line is not JSON: {last!r}")
    assert isinstance(line, dict), last
    wanted = sorted(set(MACHINE_KEYS) | readme_keys().get(script.name, set()))
    missing = [key for key in wanted if not lookup(line, key)]
    assert not missing, f"{script.name} --smoke: no {', '.join(missing)} in its last line: {last}"
    assert isinstance(line["cpus"], int) and line["calibration_s"] > 0
