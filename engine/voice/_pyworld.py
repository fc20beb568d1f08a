"""Loads the WORLD vocoder (pyworld) even where its package ``__init__`` cannot run.

pyworld 0.3.5's ``__init__`` only looks up its own version through
``pkg_resources``, which setuptools ≥ 81 no longer ships; the compiled
extension beside it is complete and needs nothing from it. So when the
package import fails for that reason alone, the extension is loaded straight
from the installed package folder, under its own module name.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

from engine.voice.errors import VoiceBackendUnavailable

_INSTALL_HINT = (
    "The `world` voice backend needs pyworld (the WORLD vocoder). Build and install it with "
    "`make bootstrap`, or by hand: PIP_CONSTRAINT=<file containing 'setuptools<81'> "
    "pip wheel --no-deps pyworld==0.3.5 -w wheels && pip install --no-deps wheels/pyworld-*.whl"
)

_loaded: ModuleType | None = None


def _extension_beside(spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
    for folder in spec.submodule_search_locations or ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"pyworld{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader("pyworld.pyworld", str(path))
                ext_spec = importlib.util.spec_from_file_location(
                    "pyworld.pyworld", path, loader=loader
                )
                if ext_spec is None:
                    continue
                module = importlib.util.module_from_spec(ext_spec)
                loader.exec_module(module)
                return module
    return None


def pyworld() -> ModuleType:
    """The pyworld functions (dio, stonemask, harvest, cheaptrick, d4c, synthesize, …)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    try:
        import pyworld as package

        _loaded = package
        return _loaded
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise VoiceBackendUnavailable(_INSTALL_HINT) from exc
    spec = importlib.util.find_spec("pyworld")
    module = _extension_beside(spec) if spec is not None else None
    if module is None:
        raise VoiceBackendUnavailable(_INSTALL_HINT)
    _loaded = module
    return module
