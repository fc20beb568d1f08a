"""How a job failure reads to a fan, and which failures wait instead of failing."""

from __future__ import annotations

import pytest

from core.model import RenderRequest, RequestState, Transformation
from jobs.failures import JobFailure, backoff_s, is_infrastructure, is_retryable_render
from jobs.pipeline import RenderJob, sentence
from jobs.processes import ProcessDied
from storage.errors import StorageConflict, StorageUnavailable
from tests.storage.factories import T0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lost the connection", "Lost the connection."),
        ("It took too long to make (the limit is 1 s).", "It took too long to make (the limit is 1 s)."),
        ("Done!", "Done!"),
        ("Really? ", "Really?"),
    ],
)
def test_every_reason_ends_as_a_sentence(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_outages_wait_while_real_failures_fail() -> None:
    down = StorageUnavailable("Can't reach the database at 10.0.0.5:5432 (connection refused)")
    assert is_infrastructure(down)
    assert is_infrastructure(PermissionError(13, "Read-only file system"))
    assert is_infrastructure(ConnectionResetError())
    assert not is_infrastructure(StorageConflict("duplicate key"))
    assert not is_infrastructure(JobFailure("revoked"))
    assert not is_infrastructure(ValueError("a bug"))
    assert is_retryable_render(MemoryError()) and is_retryable_render(ProcessDied("killed"))
    assert not is_retryable_render(JobFailure("no stems"))
    assert is_retryable_render(JobFailure("try again", transient=True))


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff_s(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_what_a_fan_reads_names_no_host_and_says_the_refund() -> None:
    request = RenderRequest(
        id="r1", idempotency_key="console:m1", user_id="u1", scope_id="console:demo",
        channel_id="general", transformation=Transformation.COVER, recording_id="rec-1",
        style="lofi", voice_model_id=None, seconds=5, license_id="lic-1", license_version=1,
        territory="WW", state=RequestState.RUNNING, created_at=T0, updated_at=T0,
    )
    unknown = RenderJob._reason(request, RuntimeError("psycopg: server at 10.0.0.5:5432 closed"))
    assert unknown.startswith("Rendering failed on our side (incident `")
    assert "10.0.0.5" not in unknown and unknown.endswith("Your 5 s were refunded.")
    plain = RenderJob._reason(request, JobFailure("That song was removed from the catalog"))
    assert plain == "That song was removed from the catalog. Your 5 s were refunded."
