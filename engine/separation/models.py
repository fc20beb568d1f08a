"""Demucs models from the local models folder, and nowhere else.

``demucs.pretrained.get_model(name)`` tries the HuggingFace hub and then
Meta's download server; a Refrain worker must never do that (no network on
render hosts, and only weights a moderator installed may run). So every load
goes through ``repo=models_dir``, and what is missing is reported as the exact
file names to copy there. Demucs ships the bag descriptions (``htdemucs.yaml``
…) and the names of the released weight files inside the package, which lets
the error name ``955717e8-8726e21a.th`` without asking anyone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import torch
import yaml
from demucs.apply import BagOfModels, Model
from demucs.htdemucs import HTDemucs
from demucs.pretrained import REMOTE_ROOT, demucs_unittest
from demucs.repo import BagOnlyRepo, LocalRepo, ModelLoadingError
from demucs.states import load_model

from engine.separation.errors import ModelFilesInvalid, ModelWeightsMissing

AnyModel = Model | BagOfModels
"""A single demucs network or a weighted bag of them."""

DEFAULT_SOURCES = ("drums", "bass", "other", "vocals")
WEIGHTS_SUFFIX = ".th"
BAG_SUFFIX = ".yaml"
UNITTEST_MODEL = "demucs_unittest"

# Constructor arguments stored in the released htdemucs weights (signature
# 955717e8, from demucs' `mmi` grid): the defaults except residual DConv
# branches in the decoder too, a 512-channel transformer and a 7.8 s training
# segment. Same compute as the real model.
_RELEASED_HTDEMUCS_KWARGS: dict[str, Any] = {
    "dconv_mode": 3,
    "bottom_channels": 512,
    "segment": Fraction(39, 5),
}


def load_separation_model(name: str, models_dir: Path) -> AnyModel:
    """Load ``name`` (a bag such as ``htdemucs`` or a signature) from ``models_dir``.

    Raises:
        ModelWeightsMissing: a file the model needs is not in ``models_dir``.
        ModelFilesInvalid: a file is there but corrupt or fails its checksum.
    """
    _check_name(name)
    if name == UNITTEST_MODEL:  # demucs' tiny test network: nothing to load
        model: AnyModel = demucs_unittest()  # type: ignore[no-untyped-call]
        return model.eval()
    if not models_dir.is_dir():
        raise _missing(name, models_dir, local={})
    local = local_weights(models_dir)
    bag_root = None if name in local else _bag_root(name, models_dir)
    if name not in local and (
        bag_root is None or any(sig not in local for sig in _bag_signatures(bag_root / f"{name}{BAG_SUFFIX}"))
    ):
        raise _missing(name, models_dir, local)
    try:
        if bag_root is None:
            model = LocalRepo(models_dir).get_model(name)
        else:
            model = BagOnlyRepo(bag_root, LocalRepo(models_dir)).get_model(name)
    except ModelLoadingError as exc:  # a checksum mismatch or two files for one signature
        raise ModelFilesInvalid(models_dir, str(exc)) from exc
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        raise ModelFilesInvalid(models_dir, f"{type(exc).__name__}: {exc}") from exc
    return model.eval()


def local_weights(models_dir: Path) -> dict[str, Path]:
    """Signature → weights file, named the way demucs' ``LocalRepo`` reads them."""
    found: dict[str, Path] = {}
    for path in sorted(models_dir.iterdir()):
        if path.suffix == WEIGHTS_SUFFIX:
            found[_signature(path)] = path
    return found


def install_model_files(src: Path, models_dir: Path) -> list[Path]:
    """Copy the ``.th``/``.yaml`` files of ``src`` (a file or a folder) into ``models_dir``.

    Every file is checked before any is copied, so a bad download never leaves
    half a model behind: a ``.th`` must load as a demucs model (and match the
    checksum in its name, as demucs will check), a ``.yaml`` must list
    signatures. A weights file replaces another of the same signature, since
    demucs refuses to choose between two.

    Returns:
        The installed paths, in ``models_dir``.
    """
    sources = _model_files(src)
    for path in sources:
        _validate(path)
    models_dir.mkdir(parents=True, exist_ok=True)
    installed: list[Path] = []
    for path in sources:
        target = models_dir / path.name
        if path.suffix == WEIGHTS_SUFFIX:
            for other in models_dir.glob(f"*{WEIGHTS_SUFFIX}"):
                if other.name != path.name and _signature(other) == _signature(path):
                    other.unlink()
        partial = models_dir / f".{path.name}.partial"  # demucs only scans .th/.yaml
        shutil.copyfile(path, partial)
        os.replace(partial, target)
        installed.append(target)
    return installed


def random_htdemucs(
    sources: Sequence[str] = DEFAULT_SOURCES, samplerate: int = 44100, *, seed: int = 0
) -> HTDemucs:
    """The released HTDemucs architecture with random weights, for benchmarks.

    The compute is that of the real model (the output is noise-like), so speed
    can be measured where no weights may be downloaded. ``seed`` keeps the
    weights, hence benchmark outputs, reproducible without touching the
    caller's global RNG.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model: HTDemucs = HTDemucs(sources=list(sources), samplerate=samplerate, **_RELEASED_HTDEMUCS_KWARGS)
    model.eval()
    return model


def _check_name(name: str) -> None:
    # "hf://…" makes demucs go to the HuggingFace hub whatever the repo is.
    if not name or "://" in name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a demucs model name or signature: {name!r}")


def _signature(path: Path) -> str:
    return path.stem.rsplit("-", 1)[0] if "-" in path.stem else path.stem


def _bag_root(name: str, models_dir: Path) -> Path | None:
    """Where the bag's yaml is: the models folder first, then demucs' own copy."""
    for root in (models_dir, REMOTE_ROOT):
        if (root / f"{name}{BAG_SUFFIX}").is_file():
            return root
    return None


def _bag_signatures(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        bag = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelFilesInvalid(path, str(exc)) from exc
    models = bag.get("models") if isinstance(bag, dict) else None
    if not isinstance(models, list) or not models or not all(isinstance(m, str) for m in models):
        raise ModelFilesInvalid(path, "a bag needs `models:` listing weight signatures")
    return list(models)


def _released_file_names() -> dict[str, str]:
    """Signature → file name of the weights Meta published (listed inside demucs)."""
    names: dict[str, str] = {}
    listing = REMOTE_ROOT / "files.txt"
    for raw in listing.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and not line.startswith("root:"):
            names[line.split("-", 1)[0]] = line
    return names


def _missing(name: str, models_dir: Path, local: dict[str, Path]) -> ModelWeightsMissing:
    bag_root = _bag_root(name, models_dir)
    if bag_root is None:
        released = _released_file_names().get(name, f"{name}{WEIGHTS_SUFFIX}")
        return ModelWeightsMissing(
            name,
            [models_dir / released, models_dir / f"{name}{BAG_SUFFIX}"],
            any_of=True,
            note="a weights file, or a bag listing weight signatures",
        )
    file_names = _released_file_names()
    signatures = _bag_signatures(bag_root / f"{name}{BAG_SUFFIX}")
    wanted = [
        models_dir / file_names.get(sig, f"{sig}{WEIGHTS_SUFFIX}") for sig in signatures if sig not in local
    ]
    return ModelWeightsMissing(name, wanted)


def _model_files(src: Path) -> list[Path]:
    if src.is_file():
        candidates = [src]
    elif src.is_dir():
        candidates = sorted(src.iterdir())
    else:
        raise FileNotFoundError(f"{src} does not exist")
    files = [p for p in candidates if p.is_file() and p.suffix in (WEIGHTS_SUFFIX, BAG_SUFFIX)]
    if not files:
        raise ModelFilesInvalid(src, f"no {WEIGHTS_SUFFIX} or {BAG_SUFFIX} files to install")
    return files


def _validate(path: Path) -> None:
    if path.suffix == BAG_SUFFIX:
        _bag_signatures(path)
        return
    if "-" in path.stem:
        checksum = path.stem.rsplit("-", 1)[1]
        actual = _sha256(path)[: len(checksum)]
        if actual != checksum:
            raise ModelFilesInvalid(path, f"checksum {actual} does not match its name")
    try:
        with warnings.catch_warnings():
            # Demucs weights are pickled model packages: torch.load must run with
            # weights_only=False (as demucs does), which torch warns about.
            warnings.simplefilter("ignore")
            load_model(path)  # type: ignore[no-untyped-call]
    except Exception as exc:  # any failure to unpickle or build means "not a model"
        raise ModelFilesInvalid(path, f"{type(exc).__name__}: {exc}") from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
