"""Fingerprints: stable under re-encoding, different for different videos; the index finds the right one."""

import numpy as np

from kinema.safety.fingerprint import FingerprintIndex, Sampler, distance, fingerprint, phash, sample_indices
from kinema.video import read_video, write_video

from .media import reencode, scene, textured


def test_samples_two_per_second():
    assert sample_indices(32, 8.0) == [0, 4, 8, 12, 16, 20, 24, 28]
    assert sample_indices(10, 24.0) == [0]
    assert sample_indices(0, 8.0) == []


def test_streaming_sampler_agrees_with_the_whole_clip():
    clip = scene(2)
    sampler = Sampler(8.0)
    for frame in clip:
        sampler(frame)
    assert sampler.hashes == fingerprint(clip, 8.0)


def test_hash_survives_reencoding_and_tells_videos_apart(tmp_path):
    a, b = textured(1), textured(2)
    again = read_video(reencode(write_video(tmp_path / "a.mp4", a, 8.0), tmp_path / "a28.mp4"))[0]
    same = [distance(phash(x), phash(y)) for x, y in zip(a[::4], again[::4])]
    other = [distance(phash(x), phash(y)) for x, y in zip(a[::4], b[::4])]
    assert max(same) <= 6 and min(other) >= 16


def test_index_finds_the_video_and_only_it(tmp_path):
    index = FingerprintIndex(tmp_path / "f.sqlite3")
    clips = {f"video_{i}": (scene if i % 2 else textured)(10 + i) for i in range(6)}
    for i, (vid, clip) in enumerate(clips.items()):
        index.add(vid, fingerprint(clip, 8.0), installation="0000abcd", watermark=i, model="m", request_id=f"r{i}")
    copy = read_video(reencode(write_video(tmp_path / "v.mp4", clips["video_3"], 8.0), tmp_path / "v28.mp4"))[0]
    match = index.lookup(fingerprint(copy, 8.0))
    assert match is not None and match.video_id == "video_3" and match.distance < 0.1 and match.request_id == "r3"
    assert index.lookup(fingerprint(textured(99), 8.0)) is None
    assert index.by_watermark("0000abcd", 4).video_id == "video_4"
    assert index.by_watermark("ffffffff", 4) is None


def test_hashes_keep_all_64_bits(tmp_path):
    index = FingerprintIndex(tmp_path / "f.sqlite3")
    high = (1 << 63) | 12345  # does not fit a signed 64-bit integer as is
    index.add("video_x", [high, high])
    match = index.lookup([high])
    assert match.video_id == "video_x" and match.distance == 0.0
    assert np.isclose(index.lookup([high ^ 0b111]).distance, 3 / 64)
