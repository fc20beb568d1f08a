"""core.links: signed clip URLs, user markers and beacon tokens (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from core.links import BeaconState, LinkCheck, LinkSigner

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SIGNER = LinkSigner(b"secret", "https://refrain.example/", 3600)


def _parts(url: str) -> tuple[str, str, str, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    delivery, fmt = split.path.removeprefix("/c/").split(".")
    return delivery, fmt, query["exp"][0], query["sig"][0]


def test_clip_url_verifies_until_it_expires() -> None:
    url = SIGNER.clip_url("d-1", "opus", NOW)
    assert url.startswith("https://refrain.example/c/d-1.opus?exp=")
    delivery, fmt, exp, sig = _parts(url)
    assert SIGNER.verify(delivery, fmt, exp, sig, NOW)
    assert int(exp) >= NOW.timestamp() + 3600  # rounded up, never shorter than the ttl
    later = datetime.fromtimestamp(int(exp), UTC)
    assert not SIGNER.verify(delivery, fmt, exp, sig, later)
    assert SIGNER.check(delivery, fmt, exp, sig, later) is LinkCheck.EXPIRED


def test_links_made_within_the_same_hour_are_identical_so_browsers_cache_them() -> None:
    first = SIGNER.clip_url("d-1", "opus", NOW + timedelta(seconds=1))
    assert first == SIGNER.clip_url("d-1", "opus", NOW + timedelta(minutes=59))
    assert first != SIGNER.clip_url("d-1", "opus", NOW + timedelta(minutes=61))


def test_any_change_breaks_the_signature() -> None:
    delivery, fmt, exp, sig = _parts(SIGNER.clip_url("d-1", "opus", NOW))
    assert SIGNER.check("d-2", fmt, exp, sig, NOW) is LinkCheck.BAD
    assert SIGNER.check(delivery, "mp3", exp, sig, NOW) is LinkCheck.BAD
    assert SIGNER.check(delivery, fmt, str(int(exp) + 3600), sig, NOW) is LinkCheck.BAD
    assert SIGNER.check(delivery, fmt, exp, sig[:-1] + ("0" if sig[-1] != "0" else "1"), NOW) is LinkCheck.BAD
    other = LinkSigner(b"other", "https://refrain.example", 3600)
    assert other.check(delivery, fmt, exp, sig, NOW) is LinkCheck.BAD
    for bad_exp in ("", "abc", "-5", "1e9", "²", "9" * 40):
        assert SIGNER.check(delivery, fmt, bad_exp, sig, NOW) is LinkCheck.BAD


def test_share_url_is_plain_and_a_user_marker_round_trips() -> None:
    assert SIGNER.share_url("abc") == "https://refrain.example/s/abc"
    url = SIGNER.share_url("abc", for_user_id="user-7")
    marker = parse_qs(urlsplit(url).query)["u"][0]
    assert SIGNER.user_of_marker(marker) == "user-7"
    assert SIGNER.user_of_marker(marker.replace("user-7", "user-8")) is None
    assert SIGNER.user_of_marker("user-7") is None


STATE = BeaconState("d-1", "nonce-1", "a" * 64, "DE", 1_700_000_000_000, 1, 3, 1_700_000_001_000, 5000, 17)


def test_beacon_token_round_trips_and_rejects_tampering() -> None:
    token = SIGNER.beacon_token(STATE)
    assert SIGNER.read_beacon_token(token) == STATE
    assert LinkSigner(b"other", "https://x", 60).read_beacon_token(token) is None
    forged = SIGNER.beacon_token(STATE).replace(token[10], "A" if token[10] != "A" else "B", 1)
    assert SIGNER.read_beacon_token(forged) is None
    for garbage in ("", "x" * 5000, "!!!", "bm90IGEgdG9rZW4"):
        assert SIGNER.read_beacon_token(garbage) is None


@given(st.binary(max_size=300))
def test_no_garbage_decodes_to_a_state(raw: bytes) -> None:
    import base64

    assert SIGNER.read_beacon_token(base64.urlsafe_b64encode(raw).decode()) is None


def test_play_event_id_depends_on_nonce_and_round_only() -> None:
    first = SIGNER.play_event_id(STATE)
    assert first == SIGNER.play_event_id(STATE.next(ms_played=9000, started_ms=1_700_000_002_000))
    assert first != SIGNER.play_event_id(STATE.next(round=2))
    assert first != SIGNER.play_event_id(BeaconState("d-1", "nonce-2", "a" * 64, "DE", STATE.issued_ms, 1))
    import uuid

    parsed = uuid.UUID(first)
    assert parsed.version == 7
    assert parsed.int >> 80 == STATE.issued_ms  # time-ordered by page load
