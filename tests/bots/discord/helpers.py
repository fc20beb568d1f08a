"""Small steps the Discord tests share: options, a fan who accepted the terms, waiting for answers."""

from __future__ import annotations

from typing import Any

from tests.fakes.fake_discord import FakeDiscord, Recorded


def opt(name: str, value: Any, kind: int = 3, *, focused: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        out["focused"] = True
    return out


def song(title: str, artist: str) -> str:
    return f"{title} — {artist}"


async def answer_to(fake: FakeDiscord, payload: dict[str, Any], *, count: int = 1,
                    timeout: float = 10.0) -> list[Recorded]:
    """The edits of one interaction's original response (what the person sees), in order."""
    token = payload["token"]
    return await fake.wait_request("PATCH", rf"/webhooks/\d+/{token}/messages/@original", count,
                                   timeout)


async def last_answer(fake: FakeDiscord, payload: dict[str, Any]) -> Recorded:
    """What the person sees last: the edited original, or the private follow-up replacing it."""
    token = payload["token"]

    def shown(f: FakeDiscord) -> list[Recorded]:
        return [r for r in f.requests
                if r.status == 200 and (
                    (r.method == "PATCH" and r.path.endswith(f"/{token}/messages/@original"))
                    or (r.method == "POST" and r.path.endswith(f"/{token}")))]

    return (await fake.wait_for(shown))[-1]  # type: ignore[no-any-return]


async def followups(fake: FakeDiscord, payload: dict[str, Any], count: int = 1) -> list[Recorded]:
    return await fake.wait_request("POST", rf"/webhooks/\d+/{payload['token']}$", count)


def callbacks(fake: FakeDiscord, payload: dict[str, Any]) -> list[Recorded]:
    return fake.find("POST", rf"/interactions/{payload['id']}/")


async def callback(fake: FakeDiscord, payload: dict[str, Any]) -> Recorded:
    found = await fake.wait_request("POST", rf"/interactions/{payload['id']}/")
    return found[0]


async def accept_terms(fake: FakeDiscord, user_id: int = 42, name: str = "alice") -> None:
    payload = await fake.slash("terms", [opt("accept", "accept")], user_id=user_id,
                               user_name=name)
    answer = await last_answer(fake, payload)
    assert "accepted the terms" in answer.content, answer.content
