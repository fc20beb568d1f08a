"""`refrain plays import` and `refrain royalties …` end to end on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import load_settings
from core.ids import uuid7
from core.royalties.dsr import read_total
from core.royalties.periods import Period
from refrain.commands.royalties_cli import plays, royalties
from storage.database import Database
from storage.migrate import upgrade
from tests.core.royalties.world_db import seed_world
from tests.support.cli_env import isolated_cli

PERIOD = Period(2026, 10)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = isolated_cli(tmp_path, monkeypatch, "royalties.db")

    async def prepare() -> None:
        await upgrade(url)
        async with await Database.open(url) as database:
            await seed_world(database.stores)

    asyncio.run(prepare())
    return tmp_path


def cli(group: object, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(group, list(args), obj=load_settings(),  # type: ignore[arg-type]
                                catch_exceptions=False)
    return result.exit_code, result.output


def _line(clip: str = "clip-gh-cover", listener: str = "u1", minutes: int = 0, **extra: object) -> str:
    at = PERIOD.start + timedelta(days=3, minutes=minutes)
    data = {
        "event_id": str(uuid7()), "clip_id": clip, "usage": "STREAM", "listener": listener,
        "platform": "telegram", "origin": "SEARCH", "ms_played": 45_000,
        "played_at": at.isoformat().replace("+00:00", "Z"), "territory": "DE",
    }
    data.update(extra)
    return json.dumps(data)


def test_import_keeps_good_lines_reports_bad_ones_and_is_idempotent(env: Path) -> None:
    lines = [_line(minutes=m, listener=f"u{m}") for m in range(8)]
    lines += [
        "{oops",
        _line(clip="clip-nope"),
        _line(ms_played=-5),
        _line(played_at="2099-01-01T00:00:00Z"),
        lines[0],  # the same event twice in one file: imported once
        "",
    ]
    file = env / "plays.jsonl"
    file.write_text("\n".join(lines) + "\n")
    code, out = cli(plays, "import", str(file))
    assert code == 1
    assert "8 new plays, 1 already imported, 4 refused" in out
    assert "line 9: not valid JSON" in out
    assert "line 10: clip 'clip-nope' is not a Refrain clip" in out
    assert "line 11: ms_played -5 is negative" in out
    assert "line 12: played_at 2099-01-01T00:00:00Z is in the future" in out
    assert "the other lines were imported" in out
    assert "u1" not in out.replace("u1:", "")  # no listener ids in clear
    code, out = cli(plays, "import", str(file))
    assert "0 new plays, 9 already imported" in out


def test_import_takes_the_external_systems_own_event_ids(env: Path) -> None:
    lines = [_line(minutes=m, listener=f"u{m}", event_id=f"sp-evt-{m:06d}") for m in range(5)]
    lines.append(_line(event_id="x" * 129))
    file = env / "external.jsonl"
    file.write_text("\n".join(lines) + "\n")
    code, out = cli(plays, "import", str(file))
    assert code == 1
    assert "5 new plays, 0 already imported, 1 refused" in out
    assert "line 6: event_id is longer than 128 characters" in out
    code, out = cli(plays, "import", str(file))
    assert "0 new plays, 5 already imported, 1 refused" in out


def test_run_statement_export_reverse_and_close(env: Path) -> None:
    file = env / "plays.jsonl"
    clips = ("clip-gh-cover", "clip-gh-voice", "clip-vc-voice", "clip-lanterns", "clip-ps-remix")
    file.write_text("\n".join(_line(clip=c, listener=f"u{i}", minutes=i)
                              for i in range(40) for c in clips[i % 5 : i % 5 + 1]) + "\n")
    assert cli(plays, "import", str(file))[0] == 0

    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "1000", "--currency", "EUR")
    assert code == 0, out
    assert "over 40 qualified plays of 40" in out and "conserved" in out
    assert "Escrow" in out and "Northstar Music Group" in out
    run_id = out.split()[1].rstrip(":")
    code, again = cli(royalties, "run", "--period", "2026-10", "--pool", "1000")
    assert "nothing changed" in again
    code, refused = cli(royalties, "run", "--period", "2026-10", "--pool", "900")
    assert code == 1 and "--replace" in refused

    code, csv_text = cli(royalties, "statement", "--party", "party-northstar-label",
                         "--period", "2026-10")
    assert code == 0
    header, *rows, total = csv_text.splitlines()
    assert total.split(",")[2] == "TOTAL"
    assert header.startswith("period,party_id,recording_id,isrc,iswc,title")
    assert any("QZNS12400001" in row for row in rows)
    assert csv_text == cli(royalties, "statement", "--party", "party-northstar-label",
                           "--period", "2026-10")[1]
    data = json.loads(cli(royalties, "statement", "--party", "party-northstar-label",
                          "--period", "2026-10", "--format", "json")[1])
    assert data["run_id"] == run_id and data["total_micros"] > 0
    dsr = cli(royalties, "statement", "--party", "party-northstar-label", "--period", "2026-10",
              "--format", "dsr")[1]
    assert read_total(dsr) == data["total_micros"]

    code, out = cli(royalties, "export", "--period", "2026-10", "--out", str(env / "dsr"))
    assert code == 0 and "1000.000000 EUR" in out
    files = sorted((env / "dsr").iterdir())
    assert files and all(f.name.startswith("DSR_REFRAIN_") and f.name.endswith("1of1.tsv")
                         for f in files)
    assert sum(read_total(f.read_text()) for f in files) == 1_000_000_000

    code, out = cli(royalties, "reverse", run_id, "--why", "pool was wrong")
    assert code == 0 and "reversed" in out
    code, out = cli(royalties, "summary", "--period", "2026-10")
    assert "pool 0.000000 EUR — conserved" in out
    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "900")
    assert code == 0 and "900.000000 EUR" in out
    assert cli(royalties, "close", "--period", "2026-10")[0] == 0
    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "800", "--replace")
    assert code == 1 and "period 2026-10 is closed" in out
    code, out = cli(royalties, "runs", "--period", "2026-10")
    assert "reversed: pool was wrong" in out and "is closed" in out
    code, out = cli(royalties, "suspects", "--period", "2026-10")
    assert "no suspect listeners" in out


def test_summary_as_json_names_each_party_by_id(env: Path) -> None:
    file = env / "plays.jsonl"
    clips = ("clip-gh-cover", "clip-vc-voice", "clip-lanterns")
    file.write_text("\n".join(_line(clip=clips[i % 3], listener=f"u{i}", minutes=i)
                              for i in range(12)) + "\n")
    assert cli(plays, "import", str(file))[0] == 0
    code, out = cli(royalties, "run", "--period", "2026-10", "--pool", "1000")
    assert code == 0, out
    run_id = out.split()[1].rstrip(":")
    code, out = cli(royalties, "summary", "--period", "2026-10", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["period"] == "2026-10" and data["currency"] == "EUR"
    assert data["run_id"] == run_id and data["conserved"] is True
    assert data["pool_micros"] == 1_000_000_000 and data["pool"] == "1000.000000"
    parties = {p["party_id"]: p for p in data["parties"]}
    assert parties["party-northstar-label"]["name"] == "Northstar Music Group"
    assert parties["party-escrow"]["name"] == "Escrow"
    assert sum(p["amount_micros"] for p in data["parties"]) == data["total_micros"] == 1_000_000_000
    assert all(p["amount"] == f"{p['amount_micros'] / 1e6:.6f}" for p in data["parties"])
    code, table = cli(royalties, "summary", "--period", "2026-10")
    assert code == 0 and "Northstar Music Group" in table and "conserved" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-13", "--pool", "5"), "YYYY-MM"),
        (("--period", "2026-10", "--pool", "abc"), "not an amount"),
        (("--period", "2026-10", "--pool", "5", "--currency", "USD"), "pays in EUR"),
        (("--period", "2999-01", "--pool", "5"), "not over yet"),
        (("--period", "2026-10",), "no pool configured for 2026-10"),
    ],
)
def test_bad_run_requests_are_clear(env: Path, args: tuple[str, ...], message: str) -> None:
    code, out = cli(royalties, "run", *args)
    assert code != 0 and message in out and "Traceback" not in out


def test_unknown_party_and_run(env: Path) -> None:
    code, out = cli(royalties, "statement", "--party", "party-nobody", "--period", "2026-10")
    assert code == 1 and "no party 'party-nobody'" in out
    code, out = cli(royalties, "reverse", "abc", "--why", "x")
    assert code == 1 and "no allocation run abc" in out


def test_royalty_demo_prints_the_summary_and_conserves(env: Path) -> None:
    from core.royalties.money import parse_amount
    from refrain.royalty_demo import royalty_demo
    from tests.core.royalties.world_db import CLIP_IDS

    settings = load_settings()
    lines: list[str] = []

    async def go() -> object:
        async with await Database.open(settings.database_url) as database:
            return await royalty_demo(database, settings, lines.append,
                                      PERIOD.end + timedelta(days=3), list(CLIP_IDS))

    summary = asyncio.run(go())
    text = "\n".join(lines)
    assert summary is not None
    assert "Royalties for 2026-10" in text and "fraud suspect" in text
    assert "pool basis for 2026-10" in text and "XTR" in text and "share 0.5" in text
    pool_text = next(line for line in text.splitlines() if line.startswith("  net ")).rsplit("pool ", 1)[1]
    assert f"conservation: pool {pool_text} = allocated {pool_text} ✓" in text
    assert sum(summary.owed.values()) == parse_amount(pool_text.split()[0])  # type: ignore[attr-defined]
    assert "Escrow" in text and "under its basis" in text
