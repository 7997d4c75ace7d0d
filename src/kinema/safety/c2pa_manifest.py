"""C2PA manifests: signing Kinema's videos, and reading anyone's.

A manifest says, signed, that the file was *created* by a trained algorithm (IPTC digital source
type `trainedAlgorithmicMedia`), by which generator and model, for which request; c2pa-python (the
Content Authenticity Initiative's SDK) builds it, hashes the MP4's boxes into it (`c2pa.hash.bmff`)
and embeds it. Any change to the video's data after signing breaks that hash: a reader reports the
file as tampered.

Keys: the key and certificate chain come from configuration (`[provenance] key`, `certificates`).
Without them, a local chain is made at first run in the data folder (`c2pa/`): a CA and a signing
certificate under it, EC P-256 (ES256), with the extensions C2PA's trust model requires of a
signing certificate (basic constraints CA false, key usage digitalSignature, extended key usage
emailProtection, subject and authority key identifiers) — c2pa-rs refuses self-signed end-entity
certificates, so the signer is always issued by a CA. That local CA is what makes `kinema verify`
say "trusted" on this machine; a manifest signed by it says "valid" (signed, intact, signer not in
the trust list) elsewhere.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

IPTC_TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
KINEMA_ASSERTION = "org.kinema.generation"


class ProvenanceError(RuntimeError):
    """Signing or reading a manifest failed for a reason that is not the file's fault (bad key, no SDK)."""


@dataclass(frozen=True)
class SigningChain:
    key: Path
    certificates: Path
    trust_anchors: Path | None = None


def _write_private(path: Path, data: bytes, mode: int) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(temp, path)


def make_local_chain(folder: Path, organisation: str = "Kinema (local installation)") -> SigningChain:
    """A CA and a signing certificate in `folder` (ca.pem, chain.pem, key.pem); made once, then reused."""
    key_path, chain_path, ca_path = folder / "key.pem", folder / "chain.pem", folder / "ca.pem"
    if key_path.is_file() and chain_path.is_file() and ca_path.is_file():
        return SigningChain(key_path, chain_path, ca_path)
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    # Two processes of one installation (a service's workers) signing their first videos at once must
    # not each make a chain: a key from one beside a certificate from the other signs nothing valid.
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.is_file() and chain_path.is_file() and ca_path.is_file():
            return SigningChain(key_path, chain_path, ca_path)
        return _new_local_chain(folder, organisation)


def _new_local_chain(folder: Path, organisation: str) -> SigningChain:
    key_path, chain_path, ca_path = folder / "key.pem", folder / "chain.pem", folder / "ca.pem"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(minutes=5)  # a little slack for clocks that disagree
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Kinema local root CA")])
    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
                 encipher_only=False, decipher_only=False)
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Kinema video signer")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write_private(key_path, key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), 0o600)
    _write_private(ca_path, ca.public_bytes(pem), 0o644)
    _write_private(chain_path, cert.public_bytes(pem) + ca.public_bytes(pem), 0o644)  # last: its presence means done
    return SigningChain(key_path, chain_path, ca_path)


def _c2pa():
    try:
        import c2pa
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise ProvenanceError("signing videos needs c2pa-python (pip install c2pa-python)") from error
    return c2pa


def manifest_definition(*, title: str, model: str, request_id: str, video_id: str, extra: dict | None = None) -> dict:
    from kinema import __version__

    generation = {"generator": "kinema", "version": __version__, "model": model, "request_id": request_id,
                  "video_id": video_id, **(extra or {})}
    return {
        "claim_generator_info": [{"name": "kinema", "version": __version__}],
        "title": title,
        "format": "video/mp4",
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {"actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": IPTC_TRAINED,
                    "softwareAgent": {"name": "kinema", "version": __version__},
                    "parameters": {"model": model, "request_id": request_id},
                }]},
            },
            {"label": KINEMA_ASSERTION, "data": generation},
        ],
    }


def sign_mp4(path: Path, chain: SigningChain, *, title: str, model: str, request_id: str, video_id: str,
             extra: dict | None = None) -> None:
    """Embed a signed manifest into the MP4 at `path`, atomically (signed beside it, then renamed over it)."""
    c2pa = _c2pa()
    try:
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain.certificates.read_bytes(), chain.key.read_bytes(), None)
        signer = c2pa.Signer.from_info(info)
    except (OSError, c2pa.C2paError) as error:
        raise ProvenanceError(f"cannot sign with key {chain.key} and certificates {chain.certificates}: {error}") from error
    definition = manifest_definition(title=title, model=model, request_id=request_id, video_id=video_id, extra=extra)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.signing")
    try:
        with c2pa.Builder(json.dumps(definition)) as builder, open(path, "rb") as source, open(temp, "w+b") as dest:
            builder.sign(signer, "video/mp4", source, dest)
        os.chmod(temp, os.stat(path).st_mode & 0o777)
        os.replace(temp, path)
    except c2pa.C2paError as error:
        raise ProvenanceError(f"{path}: signing the C2PA manifest failed: {error}") from error
    finally:
        temp.unlink(missing_ok=True)
        signer.close()


@dataclass(frozen=True)
class ManifestReport:
    state: str
    """absent | tampered | valid (signed and intact; signer not trusted here) | trusted."""
    generator: str | None = None
    model: str | None = None
    request_id: str | None = None
    video_id: str | None = None
    signer: str | None = None
    digital_source_type: str | None = None
    problems: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)

    @property
    def made_by_kinema(self) -> bool:
        return self.generator == "kinema"

    def to_dict(self) -> dict:
        return {"state": self.state, "generator": self.generator, "model": self.model, "request_id": self.request_id,
                "video_id": self.video_id, "signer": self.signer, "digital_source_type": self.digital_source_type,
                "problems": list(self.problems)}


# Failures that do not mean the file was changed: who signed is a trust question, answered apart.
_TRUST_CODES = {"signingCredential.untrusted", "signingCredential.ocsp.skipped", "signingCredential.ocsp.unknown"}


def read_manifest(path: Path, trust_anchors: list[Path] | None = None) -> ManifestReport:
    """What the file's C2PA manifest says, checked: absent, tampered, valid or trusted."""
    c2pa = _c2pa()
    anchors = "".join(p.read_text() for p in (trust_anchors or []) if p and p.is_file())
    settings = {"verify": {"verify_trust": True}}
    if anchors:
        settings["trust"] = {"trust_anchors": anchors}
    try:
        with c2pa.Context.from_dict(settings) as context, open(path, "rb") as stream:
            reader = c2pa.Reader("video/mp4", stream, context=context)
            state = reader.get_validation_state()
            results = reader.get_validation_results() or {}
            manifest = reader.get_active_manifest() or {}
            reader.close()
    except c2pa.C2paError as error:
        if "ManifestNotFound" in type(error).__name__ or "no JUMBF" in str(error) or "ManifestNotFound" in str(error):
            return ManifestReport("absent")
        # A manifest that is there but cannot even be parsed was damaged.
        return ManifestReport("tampered", problems=(str(error),))
    failures = [f for f in (results.get("activeManifest", {}) or {}).get("failure", []) or []]
    problems = tuple(f"{f.get('code')}: {f.get('explanation', '')}" for f in failures if f.get("code") not in _TRUST_CODES)
    generation = next((a.get("data", {}) for a in manifest.get("assertions", []) if a.get("label") == KINEMA_ASSERTION), {})
    actions = next((a.get("data", {}).get("actions", []) for a in manifest.get("assertions", []) if a.get("label", "").startswith("c2pa.actions")), [])
    source = next((a.get("digitalSourceType") for a in actions if a.get("action") == "c2pa.created"), None)
    signature = manifest.get("signature_info", {}) or {}
    if problems or state == "Invalid" and problems:
        verdict = "tampered"
    elif state == "Trusted":
        verdict = "trusted"
    else:
        verdict = "valid"
    return ManifestReport(
        verdict,
        generator=generation.get("generator"),
        model=generation.get("model"),
        request_id=generation.get("request_id"),
        video_id=generation.get("video_id"),
        signer=" / ".join(v for v in (signature.get("issuer"), signature.get("common_name")) if v) or None,
        digital_source_type=source,
        problems=problems,
        details={"validation_state": state},
    )


__all__ = ["IPTC_TRAINED", "ManifestReport", "ProvenanceError", "SigningChain", "make_local_chain", "manifest_definition", "read_manifest", "sign_mp4"]
