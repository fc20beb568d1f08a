"""What every benchmark shares: its run sizes, where it ran, and figures comparable across machines.

A figure without its machine cannot be compared: the same benchmark of the
same code gives different absolute numbers on two machines "of the same
kind". So every benchmark's last JSON line carries ``machine_info()``:

``cpu_model``
    ``model name`` from ``/proc/cpuinfo`` (else ``platform.processor()``,
    else ``platform.machine()``).
``cpus``
    the machine's logical CPUs (``os.cpu_count()``; a benchmark that pins
    itself to one core says so in its own keys, ``*_1core``).
``loadavg_1m``
    the 1-minute load average when the benchmark started, before its own
    work: what else the machine was running.
``calibration_s``
    the best of 3 timings of ``calibration_workload()``, a fixed,
    deterministic, single-threaded CPU workload (half pure Python: integer
    arithmetic, a dict, a sort of strings; half numpy: FFTs, a sort and
    element-wise maths on 2**18 numbers, no BLAS, so thread settings do not
    change it), measured in the same run, just before the benchmark's own
    work. About 0.25 s on the development machine (AMD EPYC, 2 cores): a
    larger value means a slower (or busier) CPU.

Where a target is an absolute speed on CPU (a real-time factor, events per
second, requests per second) the benchmark also reports that speed per
calibration, ``<key>_per_calibration = <key> × calibration_s``: the work
done in the time the calibration workload takes. A machine twice as fast
doubles the speed and halves ``calibration_s``, so this figure stays put
and two machines' runs can be compared; like the speed, higher is better.
Times (latencies, wall seconds) are left as measured.

Run sizes: every benchmark takes ``--quick`` (a smaller run, within about a
minute) and ``--smoke`` (seconds, tiny sizes, the same keys: what the test
suite runs, so a schema or API change that breaks a benchmark fails
``make test``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

CALIBRATION_REPEATS = 3
SPEED_SUFFIX = "_per_calibration"


class MachineInfo(TypedDict):
    cpu_model: str
    cpus: int
    loadavg_1m: float
    calibration_s: float


def add_run_size(parser: argparse.ArgumentParser, *, quick: str, smoke: str) -> None:
    """``--quick`` and ``--smoke`` (one or neither), each with what it means for this benchmark."""
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help=quick)
    sizes.add_argument("--smoke", action="store_true",
                       help=f"{smoke}: seconds, to check that the benchmark still runs (same keys)")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def calibration_workload() -> int:
    """The fixed CPU workload behind ``calibration_s``; returns a checksum (always the same)."""
    import numpy as np

    total, table = 0, {}
    for i in range(700_000):
        total = (total * 31 + i * i) % 1_000_003
        table[i & 4095] = total
    words = sorted(f"{value:07d}" for value in table.values())
    signal = np.sin(np.arange(1 << 18, dtype=np.float64) * 0.001) + np.cos(
        np.arange(1 << 18, dtype=np.float64) * 0.0137)
    for _ in range(7):
        spectrum = np.fft.rfft(signal)
        signal = np.fft.irfft(spectrum * np.exp(-np.arange(spectrum.size) * 1e-6), n=signal.size)
        signal = np.sort(np.tanh(signal))[::-1].copy()
    return total + len(words) + round(float(np.abs(signal).sum()))


def calibration_s(repeats: int = CALIBRATION_REPEATS) -> float:
    """Best wall time of ``repeats`` runs of ``calibration_workload()``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        calibration_workload()
        best = min(best, time.perf_counter() - started)
    return round(best, 4)


def machine_info() -> MachineInfo:
    """Where this run happens; call it once, before the benchmark's own work."""
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else -1.0
    return MachineInfo(cpu_model=cpu_model(), cpus=os.cpu_count() or 1, loadavg_1m=load,
                       calibration_s=calibration_s())


def per_calibration(speed: float | None, machine: MachineInfo) -> float | None:
    """``speed × calibration_s`` to 4 significant digits: the work done in the calibration's time
    (higher is better)."""
    return None if speed is None else float(f"{speed * machine['calibration_s']:.4g}")


def emit(result: dict[str, Any], machine: MachineInfo, speeds: Iterable[str] = (),
         off_cpu: Iterable[str] = ()) -> None:
    """Print the benchmark's last line: its result, each of ``speeds`` per calibration, the machine.

    ``off_cpu``: those of ``speeds`` measured on an accelerator this run; their
    figure per calibration is null (a CPU workload says nothing about a GPU).
    """
    line = dict(result)
    elsewhere = set(off_cpu)
    for key in speeds:
        line[key + SPEED_SUFFIX] = None if key in elsewhere else per_calibration(result[key], machine)
    line.update(machine)
    print(json.dumps(line), flush=True)

