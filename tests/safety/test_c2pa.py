"""C2PA: the local chain has what C2PA requires; signed files verify, tampered ones are caught."""

import datetime

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from kinema.safety.c2pa_manifest import IPTC_TRAINED, ManifestReport, make_local_chain, read_manifest, sign_mp4
from kinema.video import read_video, write_video

from .media import scene


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return make_local_chain(tmp_path_factory.mktemp("c2pa"))


@pytest.fixture()
def signed(chain, tmp_path):
    path = write_video(tmp_path / "clip.mp4", scene(1, 64, 64, 8), 8.0)
    sign_mp4(path, chain, title="clip.mp4", model="tiny-test", request_id="req_1", video_id="video_1")
    return path


def test_local_chain_is_a_ca_and_a_signer_with_the_c2pa_extensions(chain):
    ca = x509.load_pem_x509_certificate(chain.trust_anchors.read_bytes())
    signer, issuer = x509.load_pem_x509_certificates(chain.certificates.read_bytes())
    assert issuer == ca and signer.issuer == ca.subject and signer.subject != signer.issuer
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = signer.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    signer.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    signer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert signer.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc)
    assert oct(chain.key.stat().st_mode & 0o777) == "0o600"


def test_chain_is_made_once(chain):
    again = make_local_chain(chain.key.parent)
    assert again.certificates.read_bytes() == chain.certificates.read_bytes()


def test_signed_file_is_trusted_with_our_root_and_valid_without(chain, signed):
    trusted = read_manifest(signed, [chain.trust_anchors])
    assert trusted.state == "trusted"
    assert (trusted.generator, trusted.model, trusted.request_id, trusted.video_id) == ("kinema", "tiny-test", "req_1", "video_1")
    assert trusted.digital_source_type == IPTC_TRAINED
    assert read_manifest(signed).state == "valid"
    frames, fps = read_video(signed)  # still a playable video, same frames
    assert frames.shape == (8, 64, 64, 3) and fps == 8.0


def test_tampering_with_the_video_data_is_reported(chain, signed, tmp_path):
    data = bytearray(signed.read_bytes())
    at = data.find(b"mdat") + 64
    data[at] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    report = read_manifest(tampered, [chain.trust_anchors])
    assert report.state == "tampered"
    assert any("mismatch" in p for p in report.problems)


def test_stripped_file_has_no_manifest(signed, tmp_path):
    frames, fps = read_video(signed)
    stripped = write_video(tmp_path / "stripped.mp4", frames, fps)
    assert read_manifest(stripped) == ManifestReport("absent")


def test_signing_is_atomic_and_keeps_nothing_beside(chain, signed):
    assert sorted(p.name for p in signed.parent.iterdir()) == ["clip.mp4"]
