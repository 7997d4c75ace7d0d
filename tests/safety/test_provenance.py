"""Provenance end to end: what the writer stamps, `verify` reads back — after stripping and re-encoding too."""

import json

import numpy as np
import pytest

from kinema.safety.config import SafetyConfig, installation_id, load_config
from kinema.safety.provenance import Provenance, watermark_number
from kinema.safety.verify import format_report, verify
from kinema.video import VideoWriter, write_video

from .media import crop_tenth, reencode, resize_half, scene, textured


@pytest.fixture()
def provenance(tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path / "home"))
    return Provenance(load_config())


def write_stamped(provenance, path, clip, video_id="video_abc"):
    stamp = provenance.stamp(model="tiny-test", fps=8.0, video_id=video_id, request_id="req_9")
    with VideoWriter(path, 8.0, stamp=stamp) as writer:
        for frame in clip:
            writer.write(frame)
    return stamp


def test_installation_id_is_made_once(tmp_path):
    assert installation_id(tmp_path) == installation_id(tmp_path)
    assert len((tmp_path / "installation_id").read_text().strip()) == 8


def test_stamped_video_is_made_here_by_all_three_witnesses(provenance, tmp_path):
    path = tmp_path / "v.mp4"
    stamp = write_stamped(provenance, path, scene(4))
    report = verify(path, provenance)
    assert report.verdict == "made here"
    assert report.manifest.state == "trusted" and report.manifest.video_id == "video_abc"
    assert report.watermark.found and report.watermark.payload.video == watermark_number("video_abc")
    assert report.watermark_video_id == "video_abc"
    assert report.fingerprint.video_id == "video_abc" and report.fingerprint.distance < 0.05
    assert stamp.details()["watermark"] == f"{provenance.installation:08x}:{watermark_number('video_abc'):08x}"
    assert "verdict:     made here" in format_report(report)
    assert json.loads(json.dumps(report.to_dict()))["watermark"]["this_installation"] is True


@pytest.mark.parametrize("attack", [reencode, resize_half, crop_tenth], ids=["strip+crf28", "strip+0.5x", "strip+crop10%"])
def test_recognised_after_metadata_stripping_and_reencoding(provenance, tmp_path, attack):
    path = tmp_path / "v.mp4"
    write_stamped(provenance, path, textured(5))
    attacked = attack(path, tmp_path / "attacked.mp4")  # write_video: no metadata, no manifest
    report = verify(attacked, provenance)
    assert report.manifest.state == "absent"
    assert report.verdict == "made here" and report.watermark.found
    assert report.watermark_video_id == "video_abc"


def test_foreign_video_is_not_made_here(provenance, tmp_path):
    write_stamped(provenance, tmp_path / "ours.mp4", scene(6))
    foreign = write_video(tmp_path / "foreign.mp4", textured(7), 8.0, crf=23)
    report = verify(foreign, provenance)
    assert report.verdict == "not made here"
    assert report.manifest.state == "absent" and not report.watermark.found and report.fingerprint is None


def test_another_installations_video_is_not_made_here(tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path / "elsewhere"))
    elsewhere = Provenance(load_config())
    write_stamped(elsewhere, tmp_path / "theirs.mp4", scene(8))
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path / "here"))
    here = Provenance(load_config())
    report = verify(tmp_path / "theirs.mp4", here)
    assert report.verdict == "not made here"
    assert report.manifest.state == "valid"  # signed and intact, by a root not trusted here
    assert "another Kinema installation" in " ".join(report.reasons)


def test_tampered_signed_file_is_reported_and_still_recognised(provenance, tmp_path):
    path = tmp_path / "v.mp4"
    write_stamped(provenance, path, scene(9))
    data = bytearray(path.read_bytes())
    data[data.find(b"mdat") + 100] ^= 0x55
    path.write_bytes(bytes(data))
    report = verify(path, provenance)
    assert report.manifest.state == "tampered"
    assert "changed after signing" in " ".join(report.notes)


def test_a_tiny_video_is_unknown(provenance, tmp_path):
    path = write_video(tmp_path / "tiny.mp4", np.full((2, 16, 16, 3), 128, np.uint8), 8.0)
    report = verify(path, provenance)
    assert report.verdict == "unknown" and report.watermark is None


def test_failed_signing_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "bad.pem").write_text("not a key")
    (tmp_path / "home" / "safety.toml").write_text(
        f'[provenance]\nkey = "{tmp_path / "bad.pem"}"\ncertificates = "{tmp_path / "bad.pem"}"\n')
    from kinema.safety.c2pa_manifest import ProvenanceError

    with pytest.raises(ProvenanceError, match="cannot sign"):
        write_stamped(Provenance(load_config()), tmp_path / "v.mp4", scene(1, 64, 64, 4))
    assert not (tmp_path / "v.mp4").exists() and not list(tmp_path.glob(".v.mp4*"))


def test_stamp_file_gives_provenance_to_a_plain_video(provenance, tmp_path):
    path = write_video(tmp_path / "plain.mp4", scene(3), 8.0)
    stamp = provenance.stamp_file(path, model="other-engine", video_id="video_svc")
    report = verify(path, provenance)
    assert report.verdict == "made here" and report.manifest.video_id == "video_svc" and stamp.video_id == "video_svc"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".mp4") == ["plain.mp4"]


def test_config_refuses_unknown_keys_and_half_a_chain(tmp_path, monkeypatch):
    from kinema.safety.config import ConfigError

    monkeypatch.setenv("KINEMA_HOME", str(tmp_path))
    (tmp_path / "safety.toml").write_text("[provenance]\nwatermrk = true\n")
    with pytest.raises(ConfigError, match=r"unknown keys \['watermrk'\]"):
        load_config()
    (tmp_path / "safety.toml").write_text('[provenance]\nkey = "/k.pem"\n')
    with pytest.raises(ConfigError, match="key and certificates go together"):
        load_config()
    (tmp_path / "safety.toml").write_text("[policy]\nthresholds = { gore = 0.4 }\n")
    with pytest.raises(ConfigError, match="unknown category 'gore'"):
        load_config()
    (tmp_path / "safety.toml").write_text("[policy]\nthresholds = { violence = 0.4 }\n[output]\nframes = 4\n")
    config = load_config()
    assert isinstance(config, SafetyConfig) and config.policy.thresholds == {"violence": 0.4} and config.output.frames == 4
