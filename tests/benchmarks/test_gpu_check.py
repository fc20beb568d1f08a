"""`benchmarks/gpu_check.sh` runs on a machine without a GPU through its `--device cpu` path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_gpu_check_writes_its_json_lines_on_cpu(tmp_path: Path) -> None:
    out = tmp_path / "check"
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh"), str(out), "--device", "cpu", "--smoke"],
        # the limits are for a GPU host; a shared CPU-only one also exports for ONNX Runtime
        cwd=ROOT, env=os.environ | {"PYTHON": sys.executable, "GPU_CHECK_LIMIT_S": "600"},
        capture_output=True, text=True, timeout=1500, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "separation-float32: exit 0" in done.stderr, done.stderr
    lines = [json.loads(line) for line in (out / "all.jsonl").read_text().splitlines()]
    by_check = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    assert len(lines) == len(by_check) == 3  # no nvidia-smi line on CPU
    for precision in ("bfloat16", "float32"):
        line = by_check[f"separation-{precision}"]
        assert line["device"] == "cpu" and line["precision"] == precision, line
        assert line["max_abs_diff"] is not None and line["ratio"] > 0 and line["cpus"] >= 1
    assert by_check["separation-tests"] == {"check": "separation-tests", "status": 0}
