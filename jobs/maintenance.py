"""Keeping the blob store bounded: clip retention and a size cap on caches.

Three kinds of files live in the blob directory:

* **sources** — recording audio and provided stems: never removed here;
* **clips** — masters and their delivered (watermarked) copies: removed once
  the newest clip or delivery using the file is older than the retention
  period (the rows stay; the links stop working);
* **caches** — separated stems, raw stem arrays, analyses, anything else
  content-addressed: evicted least recently used first until the caches fit
  under the size cap (they are rebuilt on demand).

Half-written temp files (dot-files, and anything in the temporary area ``.tmp/``
where renders and deliveries are made) older than a grace period are removed
too: a worker killed mid-render leaves its partial files there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from core.ports import Stores

TEMP_AREA = ".tmp"  # the blob store's staging folder (storage.blobs) and jobs' work folders

_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class GcReport:
    removed: list[Path] = field(default_factory=list)
    freed_bytes: int = 0
    sources_bytes: int = 0
    clips_bytes: int = 0
    cache_bytes: int = 0

    def summary(self) -> str:
        mib = 1024 * 1024
        return (
            f"removed {len(self.removed)} files ({self.freed_bytes / mib:.1f} MiB); kept "
            f"{self.sources_bytes / mib:.1f} MiB of sources, {self.clips_bytes / mib:.1f} MiB "
            f"of clips, {self.cache_bytes / mib:.1f} MiB of caches"
        )


def _last_used(path: Path) -> float:
    stat = path.stat()
    return max(stat.st_atime, stat.st_mtime)


async def collect_garbage(
    stores: Stores,
    root: Path,
    *,
    now: datetime,
    clip_retention: timedelta,
    cache_max_bytes: int,
    temp_grace: timedelta = timedelta(hours=1),
    dry_run: bool = False,
) -> GcReport:
    report = GcReport()
    if not root.is_dir():
        return report
    sources: set[str] = set()
    for recording in await stores.catalog.list_recordings():
        if recording.audio_sha256:
            sources.add(recording.audio_sha256)
        sources.update(recording.stems.values())
    clip_times = dict(await stores.clips.audio_refs())  # masters
    for sha, delivered_at in await stores.deliveries.file_refs():  # watermarked copies
        clip_times[sha] = max(delivered_at, clip_times.get(sha, delivered_at))
    expiry = now - clip_retention
    caches: list[tuple[float, int, Path]] = []

    def remove(path: Path, size: int) -> None:
        report.removed.append(path)
        report.freed_bytes += size
        if not dry_run:
            path.unlink(missing_ok=True)

    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        size = path.stat().st_size
        name = path.name
        if name.startswith(".") or path.relative_to(root).parts[0] == TEMP_AREA:
            if now.timestamp() - path.stat().st_mtime > temp_grace.total_seconds():
                remove(path, size)
            continue
        if _SHA.match(name) and name in sources:
            report.sources_bytes += size
        elif _SHA.match(name) and name in clip_times:
            if clip_times[name] < expiry:
                remove(path, size)
            else:
                report.clips_bytes += size
        else:
            caches.append((_last_used(path), size, path))
    total = sum(size for _, size, _ in caches)
    for _, size, path in sorted(caches):  # oldest use first
        if total <= cache_max_bytes:
            break
        remove(path, size)
        total -= size
    report.cache_bytes = total
    return report

