"""Metrics through prometheus_client: one scrape adds up every process of a host."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WRITER = """
import sys
from pathlib import Path
from jobs import metrics
metrics.setup(Path(sys.argv[1]))
metrics.job_ran("ended", 2.5)
metrics.retried("infrastructure")
metrics.failed("limit")
metrics.recovered(3)
"""

READER = """
import sys
from pathlib import Path
from jobs import metrics
metrics.setup(Path(sys.argv[1]))
sys.stdout.write(metrics.exposition().decode())
"""


def _python(code: str, folder: Path) -> str:
    done = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def test_a_scrape_adds_up_the_figures_of_every_process(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    _python(WRITER, folder)  # two workers, each its own process
    _python(WRITER, folder)
    text = _python(READER, folder)  # serve's /metrics
    values = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines() if line and not line.startswith("#")
    }
    assert values['refrain_jobs_total{outcome="ended"}'] == 2
    assert values['refrain_job_retries_total{reason="infrastructure"}'] == 2
    assert values['refrain_job_failures_total{reason="limit"}'] == 2
    assert values["refrain_refunds_total"] == 2
    assert values["refrain_recoveries_total"] == 6
    assert values["refrain_job_seconds_count"] == 2 and values["refrain_job_seconds_sum"] == 5.0


def test_one_process_reports_its_own_figures_without_a_folder() -> None:
    code = (
        "import sys\nfrom jobs import metrics\nmetrics.recovered(2)\n"
        "sys.stdout.write(metrics.exposition().decode())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert "refrain_recoveries_total 2.0" in done.stdout
