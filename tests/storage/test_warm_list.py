"""The warm list's files: one claim per recording, states in order, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import FileWarmList, WarmState


def test_a_recording_moves_from_queued_to_separating_to_ready(tmp_path: Path) -> None:
    warm, other_process = FileWarmList(tmp_path), FileWarmList(tmp_path)
    assert warm.add("r1") and warm.add("r2")
    assert not warm.add("r1")  # already waiting
    assert warm.queued() == ["r1", "r2"]
    assert warm.claim("r1")
    assert not other_process.claim("r1")  # one process separates it
    assert warm.state("r1") is WarmState.SEPARATING and warm.queued() == ["r2"]
    assert not warm.add("r1")  # being separated
    warm.mark_ready("r1", "k" * 64)
    assert warm.state("r1") is WarmState.READY and warm.ready_key("r1") == "k" * 64
    assert warm.add("r1")  # asked again (e.g. another model): queued, the old key forgotten
    assert warm.ready_key("r1") is None and warm.state("r1") is WarmState.QUEUED


def test_a_released_claim_can_go_back_in_the_queue(tmp_path: Path) -> None:
    warm = FileWarmList(tmp_path)
    warm.add("r1")
    assert warm.claim("r1")
    warm.release("r1", requeue=True)
    assert warm.queued() == ["r1"] and warm.claim("r1")
    warm.release("r1", requeue=False)
    assert warm.state("r1") is None and warm.queued() == []


def test_ids_that_could_leave_the_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a recording id"):
        FileWarmList(tmp_path).add("../escape")
