"""`refrain catalog import` on real files: plain answers for every way an import can fail.

Each test runs the real CLI on a real SQLite database and real audio files;
a refused import must leave the database and the blob store as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from refrain.cli import main
from tests.support.cli_env import isolated_cli

PARTY = '[[parties]]\nid = "p1"\nname = "Pat"\nkind = "LABEL"\n\n'


def work(work_id: str, iswc: str) -> str:
    return f'[[works]]\nid = "{work_id}"\ntitle = "Song"\niswc = "{iswc}"\n\n'


def recording(rec_id: str, work_id: str, isrc: str, extra: str = "") -> str:
    return (
        f'[[recordings]]\nid = "{rec_id}"\nwork = "{work_id}"\ntitle = "Song {rec_id}"\n'
        f'artist = "Pat"\nisrc = "{isrc}"\nduration_s = 30\n{extra}\n'
    )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolated_cli(tmp_path, monkeypatch)
    assert run("db", "upgrade")[0] == 0
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def blobs(root: Path) -> list[Path]:
    """Stored audio; the warm list's markers (recordings waiting for stems) are not blobs."""
    return [p for p in (root / "blobs").rglob("*") if p.is_file() and "stem-warm" not in p.parts]


def test_an_isrc_already_in_the_catalog_is_named_with_its_recording(env: Path) -> None:
    first = write(env / "first.toml", PARTY + work("w1", "T-300.400.501-6")
                  + recording("r1", "w1", "QZBF12400001"))
    assert run("catalog", "import", str(first))[0] == 0
    second = write(env / "second.toml", PARTY + work("w2", "T-300.400.502-7")
                   + recording("r2", "w2", "QZ-BF1-24-00001"))
    code, text = run("catalog", "import", str(second))
    assert code == 1
    assert "Traceback" not in text and len(text.splitlines()) < 6
    assert "QZBF12400001" in text and "r1" in text and "Song r1" in text
    assert str(second) in text and "line 11" in text
    assert run("catalog", "list", "--format", "ids") == (0, "r1\n")
    assert run("catalog", "import", str(first))[0] == 0  # the same ids again: an update


def test_an_iswc_already_in_the_catalog_is_named_with_its_work(env: Path) -> None:
    first = write(env / "first.toml", PARTY + work("w1", "T-300.400.501-6")
                  + recording("r1", "w1", "QZBF12400001"))
    assert run("catalog", "import", str(first))[0] == 0
    second = write(env / "second.toml", PARTY + work("w2", "T3004005016")
                   + recording("r2", "w2", "QZBF12400002"))
    code, text = run("catalog", "import", str(second))
    assert code == 1 and "Traceback" not in text
    assert "T-300.400.501-6" in text and "w1" in text and "line 6" in text


def test_fill_unclaimed_works_on_a_fresh_database(env: Path) -> None:
    shares = (
        '[[shares]]\nwork = "w1"\nparty = "p1"\nright = "PERF"\nfraction = "1/2"\n\n'
        '[[shares]]\nwork = "w1"\nparty = "p1"\nright = "MECH"\nfraction = "1"\n\n'
    )
    path = write(env / "gaps.toml", PARTY + work("w1", "T-300.400.501-6")
                 + recording("r1", "w1", "QZBF12400001") + shares)
    code, text = run("catalog", "import", str(path))
    assert code == 1 and "--fill-unclaimed" in text
    code, text = run("catalog", "import", "--fill-unclaimed", str(path))
    assert code == 0, text
    assert "imported 1 recordings" in text
    assert run("catalog", "import", "--fill-unclaimed", str(path))[0] == 0  # twice: no change


def test_errors_name_the_file_given(env: Path) -> None:
    path = write(env / "my catalog.toml", PARTY + work("w1", "T-123.456.789-0"))
    code, text = run("catalog", "import", str(path))
    assert code == 1 and str(path) in text and "catalog.toml has" not in text.replace(str(path), "")


def test_json_is_refused_not_read_as_toml(env: Path) -> None:
    path = write(env / "catalog.json", '{"parties": []}')
    code, text = run("catalog", "import", str(path))
    assert code == 1 and "Traceback" not in text
    assert str(path) in text and ".toml" in text and ".csv" in text
    assert "TOML" not in text.replace(".toml", "")  # not "not valid TOML"


CSV_HEADER = "recording_id,work_id,title,artist,isrc,iswc,duration_s,master_holder,publisher,writer\n"


def test_csv_bad_utf8_byte_is_reported_on_its_line(env: Path) -> None:
    rows = [
        "r1,w1,Harbor Lights,Pat,QZBF12400001,T-300.400.501-6,30,Label,Pub,Writer\n",
        "r2,w2,Fern,Pat,QZBF12400002,T-300.400.502-7,30,Label,Pub,Writer\n",
    ]
    data = CSV_HEADER.encode() + rows[0].encode() + "r3,w3,Caf\xe9,Pat,".encode("latin-1")
    data += b"QZBF12400003,T-300.400.503-8,30,Label,Pub,Writer\n" + rows[1].encode()
    data += b"r4,w4,Bad,Pat,nonsense,T-300.400.504-9,30,Label,Pub,Writer\n"
    path = env / "sheet.csv"
    path.write_bytes(data)
    code, text = run("catalog", "import", str(path))
    assert code == 1 and "Traceback" not in text
    assert "line 3:" in text and "UTF-8" in text and "0xE9" in text
    assert "line 5:" in text and "ISRC" in text  # the lines after the bad byte still count right
    assert "line 1:" not in text


def _tone(path: Path, seconds: float = 2.0) -> Path:
    rate = 44_100
    t = np.arange(int(rate * seconds)) / rate
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    return path


def test_a_refused_import_stores_no_blob(env: Path) -> None:
    _tone(env / "good.flac")
    (env / "bad.flac").write_bytes(b"fLaC but not really audio" * 20)
    path = write(
        env / "two.toml",
        PARTY + work("w1", "T-300.400.501-6") + work("w2", "T-300.400.502-7")
        + recording("r1", "w1", "QZBF12400001", 'audio = "good.flac"\n')
        + recording("r2", "w2", "QZBF12400002", 'audio = "bad.flac"\n'),
    )
    code, text = run("catalog", "import", str(path))
    assert code == 1 and "bad.flac" in text and "Traceback" not in text
    assert blobs(env) == []
    good_only = write(env / "one.toml", PARTY + work("w1", "T-300.400.501-6")
                      + recording("r1", "w1", "QZBF12400001", 'audio = "good.flac"\n'))
    assert run("catalog", "import", str(good_only))[0] == 0
    assert len(blobs(env)) == 1


def test_a_clash_with_the_catalog_stores_no_blob(env: Path) -> None:
    first = write(env / "first.toml", PARTY + work("w1", "T-300.400.501-6")
                  + recording("r1", "w1", "QZBF12400001"))
    assert run("catalog", "import", str(first))[0] == 0
    _tone(env / "good.flac")
    second = write(env / "second.toml", PARTY + work("w2", "T-300.400.502-7")
                   + recording("r2", "w2", "QZBF12400001", 'audio = "good.flac"\n'))
    assert run("catalog", "import", str(second))[0] == 1
    assert blobs(env) == []


def test_a_conflict_only_storage_sees_is_still_plain_words(env: Path) -> None:
    """Two recordings swapping ISRCs in one file: each update meets the other's old code."""
    both = PARTY + work("w1", "T-300.400.501-6") + work("w2", "T-300.400.502-7")
    first = write(env / "first.toml", both + recording("r1", "w1", "QZBF12400001")
                  + recording("r2", "w2", "QZBF12400002"))
    assert run("catalog", "import", str(first))[0] == 0
    swapped = write(env / "swapped.toml", both + recording("r1", "w1", "QZBF12400002")
                    + recording("r2", "w2", "QZBF12400001"))
    code, text = run("catalog", "import", str(swapped))
    assert code == 1 and "Traceback" not in text
    assert "conflicts with stored data" in text and "nothing was imported" in text
    assert str(swapped) in text
