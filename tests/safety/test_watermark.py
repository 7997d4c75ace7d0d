"""The watermark: its code corrects errors, its payload survives the attacks, unmarked clips stay unmarked."""

import numpy as np
import pytest

from kinema.safety.watermark import CHIPS, Embedder, Payload, chips_for, decode_chips, detect, encode_bits
from kinema.video import read_video, write_video

from .media import crop_tenth, reencode, resize_half, scene, textured

PAYLOAD = Payload(0x1234ABCD, 0xCAFEF00D)


def test_payload_round_trips_through_bytes_and_rejects_bad_values():
    assert Payload.from_bytes(PAYLOAD.to_bytes()) == PAYLOAD
    with pytest.raises(ValueError, match="installation -1"):
        Payload(-1, 0)
    with pytest.raises(ValueError, match="video 4294967296"):
        Payload(0, 2**32)


def test_code_corrects_flipped_chips_and_noise():
    chips = chips_for(PAYLOAD)  # (PAIRS, SLOTS) of ±1
    rng = np.random.default_rng(0)
    for _ in range(10):  # a twentieth of the chips flipped, the rest of random strength
        noisy = chips * rng.uniform(0.5, 1.5, chips.shape)
        noisy.reshape(-1)[rng.choice(CHIPS, CHIPS // 20, replace=False)] *= -1
        bits, crc_ok, agreement = decode_chips(noisy)
        assert crc_ok and np.array_equal(bits, encode_bits(PAYLOAD))
        assert agreement > 0.92
    decoded = [decode_chips(chips * 2 + rng.normal(size=chips.shape)) for _ in range(10)]  # chip SNR 6 dB
    assert all(ok and np.array_equal(bits, encode_bits(PAYLOAD)) for bits, ok, _ in decoded)


def test_noise_does_not_pass_the_checks():
    rng = np.random.default_rng(1)
    readings = [decode_chips(rng.normal(size=(16, 15))) for _ in range(200)]
    assert max(agreement for _, _, agreement in readings) < 0.92


def test_watermark_is_invisible_enough():
    clip = textured(1)
    marked = Embedder(PAYLOAD).embed(clip)
    mse = np.mean((marked.astype(float) - clip.astype(float)) ** 2)
    assert 10 * np.log10(255**2 / mse) > 36  # PSNR in dB
    assert np.abs(marked.astype(int) - clip.astype(int)).max() <= 16  # busy areas take more, flat ones less


@pytest.mark.parametrize("make", [textured, scene], ids=["textured", "flat-world"])
@pytest.mark.parametrize("attack", ["none", "reencode-crf28", "resize-0.5x", "crop-10%"])
def test_payload_survives_each_attack(make, attack, tmp_path):
    marked = Embedder(PAYLOAD).embed(make(3))
    path = write_video(tmp_path / "marked.mp4", marked, 8.0)
    attacked = {
        "none": lambda: path,
        "reencode-crf28": lambda: reencode(path, tmp_path / "a.mp4", crf=28),
        "resize-0.5x": lambda: resize_half(path, tmp_path / "a.mp4"),
        "crop-10%": lambda: crop_tenth(path, tmp_path / "a.mp4"),
    }[attack]()
    result = detect(read_video(attacked)[0])
    assert result.found and result.payload == PAYLOAD
    assert result.confidence >= 0.95


def test_unmarked_clips_are_not_detected(tmp_path):
    for seed in range(6):
        clip = (textured if seed % 2 else scene)(100 + seed)
        path = write_video(tmp_path / "plain.mp4", clip, 8.0, crf=23)
        result = detect(read_video(path)[0])
        assert not result.found and result.payload is None


def test_reading_starts_a_longer_video_from_its_repeats(tmp_path):
    """48 frames: one and a half cycles; the repeated half adds to the first."""
    marked = Embedder(PAYLOAD).embed(scene(5, frames=48))
    result = detect(read_video(write_video(tmp_path / "m.mp4", marked, 8.0, crf=28))[0])
    assert result.found and result.payload == PAYLOAD


def test_a_blank_or_tiny_clip_reads_nothing():
    assert not detect(np.zeros((8, 40, 40, 3), np.uint8)).found
    tiny = detect(np.zeros((8, 12, 12, 3), np.uint8))  # smaller than a tile at every scale tried
    assert not tiny.found and tiny.bits is None
