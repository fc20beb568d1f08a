"""benchmarks/_machine.py: the machine a benchmark ran on, and speeds per calibration."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks._machine import (
    MachineInfo,
    add_run_size,
    calibration_workload,
    cpu_model,
    emit,
    machine_info,
    per_calibration,
)

MACHINE = MachineInfo(cpu_model="Test CPU", cpus=2, loadavg_1m=0.5, calibration_s=0.25)


def test_the_calibration_workload_is_fixed() -> None:
    assert calibration_workload() == calibration_workload()


def test_machine_info_names_the_machine_and_times_the_calibration() -> None:
    info = machine_info()
    assert info["cpu_model"] == cpu_model() and info["cpu_model"]
    assert info["cpus"] >= 1 and info["loadavg_1m"] >= 0
    assert 0 < info["calibration_s"] < 30


def test_a_speed_per_calibration_is_the_work_done_in_the_calibrations_time() -> None:
    assert per_calibration(40.0, MACHINE) == 10.0
    # twice as fast a machine: twice the speed, half the calibration, the same figure
    assert per_calibration(80.0, MachineInfo(**{**MACHINE, "calibration_s": 0.125})) == 10.0
    assert per_calibration(23_051, MACHINE) == 5763.0  # 4 significant digits
    assert per_calibration(None, MACHINE) is None


def test_emit_prints_the_result_its_speeds_per_calibration_and_the_machine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    emit({"rtf": 40.0, "gpu_rtf": 500.0, "p99_s": 1.5}, MACHINE, speeds=("rtf", "gpu_rtf"),
         off_cpu=("gpu_rtf",))
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line == {"rtf": 40.0, "gpu_rtf": 500.0, "p99_s": 1.5, "rtf_per_calibration": 10.0,
                    "gpu_rtf_per_calibration": None, **MACHINE}


def test_quick_and_smoke_exclude_each_other() -> None:
    parser = argparse.ArgumentParser()
    add_run_size(parser, quick="smaller", smoke="tiny")
    assert parser.parse_args(["--smoke"]).smoke and not parser.parse_args([]).quick
    with pytest.raises(SystemExit):
        parser.parse_args(["--quick", "--smoke"])
