"""Leases on periodic chores, so that of many instances one at a time does each.

A lease row names its holder and when it ends. Acquiring is one conditional
write: take the row if it is free, lapsed or already ours. No clocks are
compared across machines beyond the lease length, which is tens of seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from storage.errors import StorageConflict
from storage.schema import MaintenanceLeaseRow
from storage.sessions import Sessions, rowcount


class SqlMaintenanceLeases:
    """``core.ports.MaintenanceLeases`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def acquire(self, name: str, holder: str, at: datetime, ttl_s: float) -> bool:
        expires = at + timedelta(seconds=ttl_s)
        try:
            async with self._db.write() as session:
                result = await session.execute(
                    update(MaintenanceLeaseRow)
                    .where(
                        MaintenanceLeaseRow.name == name,
                        or_(
                            MaintenanceLeaseRow.holder == holder,
                            MaintenanceLeaseRow.expires_at < at,
                        ),
                    )
                    .values(holder=holder, expires_at=expires)
                    .execution_options(synchronize_session=False)
                )
                if rowcount(result) == 1:
                    return True
                if await session.get(MaintenanceLeaseRow, name) is not None:
                    return False  # another holder's lease is live
                session.add(MaintenanceLeaseRow(name=name, holder=holder, expires_at=expires))
                await session.flush()
                return True
        except StorageConflict:  # another instance created the row at the same moment
            return False
