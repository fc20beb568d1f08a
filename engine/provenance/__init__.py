"""Provenance that travels with delivered clips: tags, a JSON record, a signed C2PA manifest.

Three layers, from weakest to strongest: tags any player shows
(:mod:`.tags`), a JSON sidecar stating what the audio is and under which
license (:mod:`.manifest`, :mod:`.sidecar`), and a signed C2PA manifest
inside MP3/M4A files (:mod:`.c2pa_embed`; the native c2pa SDK is loaded only
when a manifest is signed or read). :func:`stamp_file` applies them in the one
correct order.
"""

from engine.provenance.c2pa_embed import (
    C2paError,
    C2paReading,
    C2paSigner,
    embed_c2pa,
    load_signer,
    read_c2pa,
)
from engine.provenance.manifest import (
    DIGITAL_SOURCE_TYPE,
    SCHEMA,
    ProvenanceError,
    build_manifest,
    manifest_json,
    parse_manifest,
    with_sha256,
)
from engine.provenance.sidecar import read_sidecar, sidecar_path, write_sidecar
from engine.provenance.stamp import Stamped, stamp_file
from engine.provenance.tags import TagError, write_tags

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "SCHEMA",
    "C2paError",
    "C2paReading",
    "C2paSigner",
    "ProvenanceError",
    "Stamped",
    "TagError",
    "build_manifest",
    "embed_c2pa",
    "load_signer",
    "manifest_json",
    "parse_manifest",
    "read_c2pa",
    "read_sidecar",
    "sidecar_path",
    "stamp_file",
    "with_sha256",
    "write_sidecar",
    "write_tags",
]
