"""Chat buttons' stored commands: kept across processes, read back exactly, purged by age."""

from __future__ import annotations

from datetime import timedelta

from core.model import Origin
from core.ports import ButtonState, Stores
from tests.storage.factories import T0


async def test_button_states_round_trip_and_old_ones_are_purged(stores: Stores) -> None:
    old = ButtonState("k-old", "telegram", "-1001", 'cover "Golden Hour" style:lofi', Origin.BUTTON, T0)
    new = ButtonState("k-new", "telegram", "42", "report clip-1", Origin.INLINE, T0 + timedelta(days=3))
    for state in (old, new):
        await stores.buttons.put(state)
    assert await stores.buttons.get("k-old") == old
    assert await stores.buttons.get("k-new") == new
    assert await stores.buttons.get("nope") is None

    assert await stores.buttons.purge(T0 + timedelta(days=2)) == 1
    assert await stores.buttons.get("k-old") is None
    assert await stores.buttons.get("k-new") == new
