"""Signing a C2PA manifest into delivered MP3 and M4A files, and reading it back.

Why: a JSON sidecar is lost as soon as the file is forwarded; a C2PA
manifest inside the file is the industry's way of saying "AI-generated"
that survives a forward and that verifiers (Content Credentials tools)
read. The manifest holds a ``c2pa.actions`` assertion with one
``c2pa.created`` action whose ``digitalSourceType`` is IPTC's
``trainedAlgorithmicMedia`` (C2PA's "this is AI-generated"), and a custom
``com.refrain.provenance`` assertion carrying the provenance record
(:mod:`engine.provenance.manifest`, with ``file.sha256`` null: a file cannot
hold its own hash; C2PA's hard binding covers the bytes instead).

Everything runs offline: the c2pa SDK (``c2pa-python``, Rust inside) signs
with an ES256 key and certificate chain made here once (:func:`load_signer`),
no timestamp authority, no OCSP or remote-manifest fetches. The chain is
Refrain's own: a root made and thrown away at creation (its key is never
stored, so nobody can mint more certificates under it) and an end-entity
signing certificate. Outside verifiers therefore report the signature as
valid but "untrusted" unless they add ``trust-anchors.pem`` as a trust
anchor; :func:`read_c2pa` does, so it reports ``Trusted`` for our files.

Ogg Opus cannot carry a C2PA manifest (the SDK does not support the
container); :func:`embed_c2pa` then returns ``False`` and the sidecar is the
only provenance. The signer is plain bytes (picklable), so it crosses into
the audio process pool; the SDK is imported only when used.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.errors import RefrainError
from engine.encode import EncodeFormat
from engine.provenance.manifest import DIGITAL_SOURCE_TYPE, SCHEMA, with_sha256

__all__ = [
    "PROVENANCE_LABEL",
    "C2paError",
    "C2paReading",
    "C2paSigner",
    "c2pa_available",
    "embed_c2pa",
    "load_signer",
    "read_c2pa",
]

PROVENANCE_LABEL = "com.refrain.provenance"
SIGNER_FILE = "signer.pem"  # the private key and the certificate chain, together (0600)
ANCHORS_FILE = "trust-anchors.pem"  # every root Refrain has signed under (public)
_MIME: dict[EncodeFormat, str] = {EncodeFormat.MP3: "audio/mpeg", EncodeFormat.M4A: "audio/mp4"}
_SIGNER_DAYS = 730
_RENEW_BEFORE = timedelta(days=30)
_ROOT_DAYS = 3650
# No network, ever: no OCSP, no remote manifests. Verification trusts the anchors given.
_OFFLINE = {"verify": {"ocsp_fetch": False, "remote_manifest_fetch": False}}


class C2paError(RefrainError):
    """Signing or reading a C2PA manifest failed; the message says why."""


@dataclass(frozen=True)
class C2paSigner:
    """ES256 signing material in PEM (picklable: it travels into the audio process pool)."""

    private_key_pem: bytes
    cert_chain_pem: bytes  # signing certificate first, then its root
    trust_anchors_pem: bytes  # roots to trust when reading our own files back
    not_after: datetime


@dataclass(frozen=True)
class C2paReading:
    """What a file's active C2PA manifest says, and whether it holds up.

    ``state`` is the SDK's: ``Trusted`` (valid, signed under a given trust
    anchor), ``Valid`` (intact, signer unknown), ``Invalid`` (tampered or
    broken). ``failures`` are the SDK's failure codes, e.g.
    ``assertion.dataHash.mismatch`` for edited audio.
    """

    state: str
    failures: tuple[str, ...]
    ai_generated: bool
    signer_name: str | None
    provenance: dict[str, Any] | None

    @property
    def intact(self) -> bool:
        return self.state in ("Trusted", "Valid")


def c2pa_available() -> bool:
    """Whether the c2pa SDK can be loaded here (it is an optional native library)."""
    try:
        import c2pa  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def embed_c2pa(path: Path, fmt: EncodeFormat, manifest: Mapping[str, Any], signer: C2paSigner) -> bool:
    """Sign a C2PA manifest stating ``manifest`` into the file at ``path`` (replaced atomically).

    Call it last, after the tags are written: the manifest binds the bytes.

    Returns:
        ``True`` when embedded; ``False`` when ``fmt`` cannot carry one (Opus)
        or the SDK is not installed — the file is then untouched.

    Raises:
        C2paError: the SDK refused (expired or malformed certificate, unreadable file).
    """
    mime = _MIME.get(fmt)
    if mime is None or not c2pa_available():
        return False
    import c2pa

    path = Path(path)
    definition = _definition(manifest, mime)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.c2pa")
    try:
        info = c2pa.C2paSignerInfo(
            c2pa.C2paSigningAlg.ES256, signer.cert_chain_pem, signer.private_key_pem, None
        )
        with (
            c2pa.Context.from_dict(_OFFLINE) as context,
            c2pa.Signer.from_info(info) as sdk_signer,
            c2pa.Builder(definition, context=context) as builder,
            path.open("rb") as source,
            partial.open("w+b") as dest,
        ):
            builder.sign(sdk_signer, mime, source, dest)
            dest.flush()
            os.fsync(dest.fileno())
        os.replace(partial, path)
    except c2pa.C2paError as error:
        raise C2paError(f"could not sign a C2PA manifest into {path.name}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return True


def read_c2pa(path: Path, fmt: EncodeFormat, *, trust_anchors_pem: bytes | None = None) -> C2paReading | None:
    """The active C2PA manifest of the file at ``path``, validated; ``None`` when it has none.

    Raises:
        C2paError: the SDK is missing, or the file's manifest cannot be parsed at all.
    """
    mime = _MIME.get(fmt)
    if mime is None:
        return None
    if not c2pa_available():
        raise C2paError("the c2pa SDK (c2pa-python) is not installed")
    import c2pa

    settings: dict[str, Any] = {"verify": dict(_OFFLINE["verify"])}
    if trust_anchors_pem:
        settings["trust"] = {"trust_anchors": trust_anchors_pem.decode("ascii")}
        settings["verify"]["verify_trust"] = True
    try:
        with (
            c2pa.Context.from_dict(settings) as context,
            Path(path).open("rb") as stream,
        ):
            reader = c2pa.Reader.try_create(mime, stream, context=context)
            if reader is None:
                return None
            with reader:
                active = reader.get_active_manifest() or {}
                state = reader.get_validation_state() or "Invalid"
                results = reader.get_validation_results() or {}
    except c2pa.C2paError as error:
        raise C2paError(f"could not read the C2PA manifest of {Path(path).name}: {error}") from None
    failures = tuple(
        str(item.get("code", "")) for item in results.get("activeManifest", {}).get("failure", [])
    )
    return C2paReading(
        state=state,
        failures=failures,
        ai_generated=_declares_ai(active),
        signer_name=(active.get("signature_info") or {}).get("common_name"),
        provenance=_assertion(active, PROVENANCE_LABEL),
    )


def load_signer(directory: Path, *, now: datetime | None = None) -> C2paSigner:
    """Refrain's C2PA signing material from ``directory``, made there first when missing or expiring.

    ``directory`` holds ``signer.pem`` (private key + chain, mode 0600: keep
    it out of the repository and of backups anyone can read) and
    ``trust-anchors.pem`` (every root ever used, so files signed before a
    renewal still read as ``Trusted``). Concurrent first calls agree on one
    signer: the file is created with a hard link, which fails if it exists.

    Raises:
        C2paError: the files exist but cannot be read as a key and a chain.
    """
    directory = Path(directory)
    moment = now or datetime.now(UTC)
    signer_path = directory / SIGNER_FILE
    anchors_path = directory / ANCHORS_FILE
    if signer_path.exists():
        signer = _read_signer(signer_path, anchors_path)
        if signer.not_after - _RENEW_BEFORE > moment:
            return signer
    directory.mkdir(parents=True, exist_ok=True)
    key_pem, chain_pem, root_pem = _new_chain(moment)
    partial = directory / f".{SIGNER_FILE}.{uuid.uuid4().hex}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem + chain_pem)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        if signer_path.exists():
            # Renewal: the old signer stays readable under its root in the anchors file.
            os.replace(partial, signer_path)
            _append_anchor(anchors_path, root_pem)
        else:
            try:
                os.link(partial, signer_path)
            except FileExistsError:
                return _read_signer(signer_path, anchors_path)  # another process won the race
            _append_anchor(anchors_path, root_pem)
    finally:
        partial.unlink(missing_ok=True)
    return _read_signer(signer_path, anchors_path)


def _definition(manifest: Mapping[str, Any], mime: str) -> dict[str, Any]:
    if manifest.get("schema") != SCHEMA:
        raise C2paError(f"not a {SCHEMA} record: cannot embed it")
    generator = str(manifest.get("generator", "Refrain"))
    name, _, version = generator.partition(" ")
    agent = {"name": name or "Refrain", "version": version or "unknown"}
    source = manifest.get("source") or {}
    title = f"{source.get('title') or 'Refrain clip'} ({manifest.get('kind', 'cover')})"
    return {
        "claim_generator_info": [agent],
        "title": title,
        "format": mime,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": DIGITAL_SOURCE_TYPE,
                            "softwareAgent": agent,
                            "description": str(manifest.get("statement", "")),
                        }
                    ]
                },
            },
            {"label": PROVENANCE_LABEL, "data": with_sha256(manifest, None)},
        ],
    }


def _declares_ai(active: Mapping[str, Any]) -> bool:
    for label in ("c2pa.actions.v2", "c2pa.actions"):
        actions = (_assertion(active, label) or {}).get("actions", [])
        if any(
            action.get("action") == "c2pa.created" and action.get("digitalSourceType") == DIGITAL_SOURCE_TYPE
            for action in actions
        ):
            return True
    return False


def _assertion(active: Mapping[str, Any], label: str) -> dict[str, Any] | None:
    for assertion in active.get("assertions", []):
        if assertion.get("label") == label and isinstance(assertion.get("data"), dict):
            data: dict[str, Any] = assertion["data"]
            return data
    return None


def _read_signer(signer_path: Path, anchors_path: Path) -> C2paSigner:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    blob = signer_path.read_bytes()
    marker = b"-----BEGIN CERTIFICATE-----"
    cut = blob.find(marker)
    if cut <= 0:
        raise C2paError(f"{signer_path} holds no private key and certificate chain")
    key_pem, chain_pem = blob[:cut], blob[cut:]
    try:
        serialization.load_pem_private_key(key_pem, password=None)
        certificate = x509.load_pem_x509_certificate(chain_pem)
    except ValueError as error:
        raise C2paError(f"{signer_path} is not a readable key and chain: {error}") from None
    anchors = anchors_path.read_bytes() if anchors_path.exists() else b""
    return C2paSigner(
        private_key_pem=key_pem,
        cert_chain_pem=chain_pem,
        trust_anchors_pem=anchors,
        not_after=certificate.not_valid_after_utc,
    )


def _append_anchor(anchors_path: Path, root_pem: bytes) -> None:
    with anchors_path.open("ab") as handle:
        handle.write(root_pem)
        handle.flush()
        os.fsync(handle.fileno())


def _new_chain(now: datetime) -> tuple[bytes, bytes, bytes]:
    """A throw-away root and an end-entity ES256 signer meeting C2PA's certificate profile.

    The profile C2PA validators check: X.509 v3, the signer not a CA, key
    usage ``digitalSignature``, an extended key usage C2PA accepts
    (``emailProtection``), key identifiers linking it to its issuer, and an
    issuer other than itself (a self-signed signing certificate is refused).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Refrain"),
            ]
        )

    def usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip

    start = now - timedelta(hours=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name(f"Refrain provenance root {now:%Y-%m-%d}")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + timedelta(days=_ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("Refrain provenance signer"))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + timedelta(days=_SIGNER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    root_pem = root.public_bytes(pem)
    return key_pem, leaf.public_bytes(pem) + root_pem, root_pem
