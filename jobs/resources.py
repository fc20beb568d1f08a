"""What a process that renders needs, built from settings: shared by serve and workers.

``refrain serve`` (embedded queue) and ``refrain worker`` (arq) make the same
render job the same way: the stems source, stoppable render processes, the
delivery service that marks the fan's copy, and the job's limits.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from config import RefrainSettings
from core.clock import SystemClock
from core.deliveries import DeliveryService, MarkingKey
from core.ports import BlobStore, CatalogRepository, Notifier, Stores
from engine import C2paSigner, DeliveryAudioEngine, c2pa_available, load_signer
from jobs.maintenance import TEMP_AREA
from jobs.pipeline import RenderJob, RenderSettings
from jobs.runners import AudioRunner
from jobs.separation import MissingModelStems, SeparatedStems
from jobs.stems import ProvidedStems, StemSource
from jobs.warming import StemWarmer
from storage import FileStemIndex, FileWarmList

log = logging.getLogger(__name__)

def temp_dir(settings: RefrainSettings, purpose: str) -> Path:
    """A folder for half-made files under the blob store's temporary area."""
    return settings.blobs_dir / TEMP_AREA / purpose


def warm_list(settings: RefrainSettings) -> FileWarmList:
    """Recordings waiting for stems, beside the shared blobs (see ``jobs.warming``)."""
    return FileWarmList(settings.blobs_dir / "stem-warm")


def has_separation_weights(settings: RefrainSettings) -> bool:
    """Whether the configured separation model can load (files present, or the test model)."""
    folder = settings.models_dir
    if settings.separation_model == "demucs_unittest":
        return True
    return folder.is_dir() and any(folder.glob("*.th"))


def stem_warmer(
    settings: RefrainSettings, catalog: CatalogRepository, separated: StemSource
) -> StemWarmer | None:
    """The warmer of this rendering process; ``None`` without a model to separate with."""
    if not isinstance(separated, SeparatedStems):
        return None
    return StemWarmer(catalog, separated, warm_list(settings), settings.warm_interval_s)


def separation_source(settings: RefrainSettings, blobs: BlobStore) -> StemSource:
    """Demucs for recordings without stems, loaded once; or a polite refusal without weights.

    Torch is only imported when there is something to load, so a deployment
    whose catalog always comes with stems starts fast.
    """
    name, folder = settings.separation_model, settings.models_dir
    if not has_separation_weights(settings):
        return MissingModelStems(
            f"no separation weights in {folder}: install them with `refrain models install PATH`"
        )
    from engine.separation import (
        SeparationError,
        Separator,
        StemCache,
        export_path,
        load_separation_model,
    )

    try:
        model = load_separation_model(name, folder)
    except SeparationError as exc:
        log.warning("separation disabled: %s", exc)
        return MissingModelStems(str(exc))
    separator = Separator(
        model, device=settings.separation_device, onnx=export_path(folder, name)
    )
    cache = StemCache(blobs, FileStemIndex(settings.blobs_dir / "stem-index"), separator.samplerate)
    return SeparatedStems(
        blobs, cache, separator, name, model_fingerprint(model, separator),
        warm_list=warm_list(settings),
    )


def model_fingerprint(model: Any, separator: Any) -> str:
    """Changes whenever the stems would: the weights and the separation settings."""
    digest = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    digest.update(f"{separator.overlap}:{separator.shifts}".encode())
    return digest.hexdigest()[:16]


def marking_keys(settings: RefrainSettings) -> list[MarkingKey]:
    """Every listed watermark key, the active one first (trace tries them all: rotation)."""
    keys = settings.watermark.keys
    active = settings.watermark.active_key
    order = [active, *sorted(k for k in keys if k != active)]
    return [MarkingKey(key_id, keys[key_id].get_secret_value().encode()) for key_id in order]


def c2pa_signer(settings: RefrainSettings) -> C2paSigner | None:
    """The C2PA signer for MP3/M4A deliveries (made on first use), or None when switched off."""
    if not settings.provenance.c2pa or not c2pa_available():
        return None
    return load_signer(settings.provenance.c2pa_dir)


def delivery_service(settings: RefrainSettings, stores: Stores, blobs: BlobStore) -> DeliveryService:
    """Marks, encodes and records copies; encoding runs in ffmpeg and the mark in numpy,
    both of which release the GIL, so threads of this process do."""
    return DeliveryService(
        stores,
        blobs,
        SystemClock(),
        None,
        marking_key=marking_keys(settings)[0],
        listener_secret=settings.listener_key_secret.get_secret_value().encode(),
        public_url=settings.web.public_url,
        work_dir=temp_dir(settings, "deliveries"),
        audio=DeliveryAudioEngine(c2pa_signer(settings)),
        plays=stores.plays,
    )


def render_settings(settings: RefrainSettings) -> RenderSettings:
    return RenderSettings(
        out_dir=temp_dir(settings, "renders"),
        time_limit_s=float(settings.job_timeout_s),
        lease_s=settings.lease_s,
        max_claims=settings.max_claims,
        deadline_s=float(settings.request_deadline_s),
    )


def build_render_job(
    settings: RefrainSettings,
    stores: Stores,
    blobs: BlobStore,
    notifier: Notifier,
    runner: AudioRunner | None,
    deliveries: DeliveryService | None = None,
    separated: StemSource | None = None,
) -> RenderJob:
    """``separated``: the separation source, when the caller also warms stems with it."""
    return RenderJob(
        stores,
        blobs,
        ProvidedStems(blobs, separated or separation_source(settings, blobs)),
        notifier,
        SystemClock(),
        runner,
        render_settings(settings),
        deliveries or delivery_service(settings, stores, blobs),
    )
