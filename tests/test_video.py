"""Tests for kinema.video: every fixture is generated here with PyAV or Pillow, small and fast."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from kinema.video import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    VideoError,
    VideoInfo,
    VideoWriter,
    iter_frames,
    probe,
    read_frames,
    read_image,
    read_video,
    write_spritesheet,
    write_thumbnail,
    write_video,
)

H, W = 48, 64


def moving_clip(frames: int = 17, height: int = H, width: int = W) -> np.ndarray:
    """A smooth gradient that drifts right plus a coloured block that moves: (T, H, W, 3) uint8."""
    y, x = np.mgrid[0:height, 0:width]
    clip = np.empty((frames, height, width, 3), np.uint8)
    for t in range(frames):
        clip[t, ..., 0] = (x * 3 + t * 4) % 256
        clip[t, ..., 1] = y * 4
        clip[t, ..., 2] = 128
        left = 2 * t % (width - 16)
        clip[t, 8:24, left:left + 16] = (250, 200, 30)
    return clip


def encode_with_pyav(path: Path, clip: np.ndarray, fmt: str, codec: str, fps: int, **options) -> Path:
    """A fixture video written straight through PyAV, independent of kinema.video's writer."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = clip.shape[2], clip.shape[1], "yuv420p"
        for i, array in enumerate(clip):
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 top-level box types in file order (ISO/IEC 14496-12 size + type headers)."""
    data, boxes, offset = path.read_bytes(), [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        boxes.append(data[offset + 4:offset + 8].decode("latin-1"))
        if size == 1:  # 64-bit size follows the type
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def assert_empty_folder(folder: Path) -> None:
    """No output and no temporary file left behind."""
    assert sorted(p.name for p in folder.iterdir()) == []


# --- write -> read round trip -----------------------------------------------------------------------


def test_round_trip_preserves_frames_size_fps_and_pixels(tmp_path):
    clip = moving_clip(17)
    path = write_video(tmp_path / "clip.mp4", clip, fps=8)
    assert path == tmp_path / "clip.mp4"

    frames, fps = read_video(path)
    assert frames.shape == (17, H, W, 3) and frames.dtype == np.uint8
    assert fps == 8
    error = np.abs(frames.astype(np.int16) - clip.astype(np.int16)).mean()
    assert error < 6, f"mean abs error {error:.2f} is too high for crf 18"

    info = probe(path)
    assert isinstance(info, VideoInfo)
    assert (info.width, info.height, info.frames, info.fps) == (W, H, 17, 8)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.seconds == pytest.approx(17 / 8, abs=1 / 8)


def test_round_trip_order_is_kept(tmp_path):
    """Frames come back in the order written (B-frame reordering is undone)."""
    clip = np.stack([np.full((H, W, 3), 20 * t, np.uint8) for t in range(8)])
    frames, _ = read_video(write_video(tmp_path / "ramp.mp4", clip, fps=24))
    means = frames.reshape(8, -1).mean(axis=1)
    assert np.all(np.abs(means - 20 * np.arange(8)) < 3)


def test_written_file_is_faststart(tmp_path):
    boxes = top_level_boxes(write_video(tmp_path / "fast.mp4", moving_clip(5), fps=8))
    assert "moov" in boxes and "mdat" in boxes
    assert boxes.index("moov") < boxes.index("mdat"), boxes


@pytest.mark.parametrize("fps", [7.5, Fraction(30000, 1001), 30000 / 1001, 24])
def test_fractional_fps_round_trips(tmp_path, fps):
    path = write_video(tmp_path / "rate.mp4", moving_clip(9), fps=fps)
    frames, read_fps = read_video(path)
    assert len(frames) == 9
    assert read_fps == pytest.approx(float(fps), rel=1e-6)
    info = probe(path)
    assert info.seconds == pytest.approx(9 / float(fps), abs=1 / float(fps))


def test_metadata_is_stored_in_the_container(tmp_path):
    path = write_video(tmp_path / "meta.mp4", moving_clip(3), fps=8,
                       metadata={"title": "a red ball", "kinema_seed": "1234"})
    with av.open(str(path)) as container:
        assert container.metadata["title"] == "a red ball"
        assert container.metadata["kinema_seed"] == "1234"


def test_read_video_max_frames_and_iter_frames(tmp_path):
    path = write_video(tmp_path / "clip.mp4", moving_clip(10), fps=8)
    frames, fps = read_video(path, max_frames=4)
    assert frames.shape == (4, H, W, 3) and fps == 8
    streamed = list(iter_frames(path))
    assert len(streamed) == 10
    assert all(f.shape == (H, W, 3) and f.dtype == np.uint8 for f in streamed)
    assert np.array_equal(np.stack(streamed[:4]), frames)


# --- VideoWriter ------------------------------------------------------------------------------------


def test_writer_streams_frames(tmp_path):
    clip = moving_clip(6)
    with VideoWriter(tmp_path / "stream.mp4", fps=12, crf=23, preset="ultrafast") as writer:
        for i, frame in enumerate(clip):
            writer.write(frame)
            assert writer.frames_written == i + 1
            assert not (tmp_path / "stream.mp4").exists(), "the file must only appear when closed"
    assert writer.close() == tmp_path / "stream.mp4"  # closing again is harmless
    assert probe(tmp_path / "stream.mp4").frames == 6
    assert [p.name for p in tmp_path.iterdir()] == ["stream.mp4"]  # no temporary file left
    (tmp_path / "plain").touch()  # the output gets a new file's usual permissions, not 0600
    assert (tmp_path / "stream.mp4").stat().st_mode == (tmp_path / "plain").stat().st_mode
    with pytest.raises(VideoError, match="closed"):
        writer.write(clip[0])


def test_exception_inside_with_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with VideoWriter(tmp_path / "broken.mp4", fps=8) as writer:
            writer.write(moving_clip(1)[0])
            raise RuntimeError("boom")
    assert_empty_folder(tmp_path)


def test_frame_size_change_mid_stream_is_an_error(tmp_path):
    with pytest.raises(VideoError, match=r"32x24 .* 64x48"):
        with VideoWriter(tmp_path / "sizes.mp4", fps=8) as writer:
            writer.write(moving_clip(1)[0])
            writer.write(moving_clip(1, height=24, width=32)[0])
    assert_empty_folder(tmp_path)


def test_failed_write_does_not_replace_an_existing_file(tmp_path):
    path = tmp_path / "keep.mp4"
    path.write_bytes(b"previous")
    with pytest.raises(VideoError):
        write_video(path, [moving_clip(1)[0], np.zeros((H, W), np.uint8)], fps=8)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.mp4"]


# --- reading other containers and stills ------------------------------------------------------------


def test_read_webm(tmp_path):
    codec = next((c for c in ("libvpx-vp9", "libvpx") if c in av.codecs_available), None)
    if codec is None:
        pytest.skip("this FFmpeg build has neither libvpx-vp9 nor libvpx, so no WebM can be made")
    clip = moving_clip(8)
    path = encode_with_pyav(tmp_path / "clip.webm", clip, "webm", codec, 8,
                            deadline="realtime", **{"cpu-used": "8", "crf": "10", "b": "0"})
    frames, fps = read_video(path)
    assert frames.shape == (8, H, W, 3) and fps == 8
    assert np.abs(frames.astype(np.int16) - clip).mean() < 12
    info = probe(path)
    assert info.frames == 8 and info.codec in ("vp9", "vp8")
    assert info.seconds == pytest.approx(1.0, abs=1 / 8)


def test_read_mov(tmp_path):
    clip = moving_clip(6)
    path = encode_with_pyav(tmp_path / "clip.mov", clip, "mov", "libx264", 12, crf="18")
    frames, fps = read_video(path)
    assert frames.shape == (6, H, W, 3) and fps == 12
    assert np.abs(frames.astype(np.int16) - clip).mean() < 6
    assert probe(path).codec == "h264"


def test_read_gif_uses_frame_durations(tmp_path):
    # GIF delays are in hundredths of a second: 100 ms per frame is exactly 10 fps.
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    images = [Image.new("RGB", (W, H), c) for c in colours]
    path = tmp_path / "clip.gif"
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)

    frames, fps = read_video(path)
    assert frames.shape == (4, H, W, 3)
    assert fps == pytest.approx(10)
    assert np.array_equal(frames[:, H // 2, W // 2], np.array(colours, np.uint8))
    info = probe(path)
    assert (info.frames, info.codec) == (4, "gif")
    assert info.fps == pytest.approx(10) and info.seconds == pytest.approx(0.4)


@pytest.mark.parametrize("suffix, fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".jpeg", "JPEG"),
                                         (".webp", "WEBP")])
def test_read_still_images(tmp_path, suffix, fmt):
    array = moving_clip(1, height=30, width=41)[0]  # stills may have odd sizes
    path = tmp_path / f"still{suffix}"
    Image.fromarray(array).save(path, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    image = read_image(path)
    assert image.shape == (30, 41, 3) and image.dtype == np.uint8
    tolerance = 0 if fmt in ("PNG", "WEBP") else 8
    assert np.abs(image.astype(np.int16) - array).mean() <= tolerance

    frames, fps = read_frames(path)
    assert frames.shape == (1, 30, 41, 3) and fps == 0.0
    assert np.array_equal(frames[0], image)


def test_read_image_composites_alpha_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2] = (255, 0, 0, 255)  # top half opaque red, bottom half fully transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    image = read_image(tmp_path / "alpha.png")
    assert image.shape == (4, 4, 3)
    assert (image[0, 0] == (255, 0, 0)).all() and (image[3, 3] == (255, 255, 255)).all()


def test_read_frames_on_a_video(tmp_path):
    path = write_video(tmp_path / "clip.mp4", moving_clip(5), fps=8)
    frames, fps = read_frames(path)
    assert frames.shape == (5, H, W, 3) and fps == 8


def test_suffix_lists():
    assert VIDEO_SUFFIXES == (".mp4", ".webm", ".mov", ".gif")
    assert IMAGE_SUFFIXES == (".png", ".jpg", ".jpeg", ".webp")


# --- errors -----------------------------------------------------------------------------------------


def test_zero_frames_is_an_error(tmp_path):
    with pytest.raises(VideoError, match="no frames to write"):
        write_video(tmp_path / "empty.mp4", [], fps=8)
    with pytest.raises(VideoError, match="no frames to write"):
        write_video(tmp_path / "empty.mp4", np.zeros((0, H, W, 3), np.uint8), fps=8)
    assert_empty_folder(tmp_path)


def test_odd_size_is_an_error(tmp_path):
    with pytest.raises(VideoError, match=r"63x48.*even"):
        write_video(tmp_path / "odd.mp4", np.zeros((2, 48, 63, 3), np.uint8), fps=8)
    assert_empty_folder(tmp_path)


@pytest.mark.parametrize("frames, named", [
    (np.zeros((2, H, W, 3), np.float32), "float32"),
    (np.zeros((2, H, W, 4), np.uint8), r"\(2, 48, 64, 4\)"),
    ([np.zeros((H, W), np.uint8)], r"\(48, 64\)"),
    ([np.zeros((H, W, 3), np.int64)], "int64"),
])
def test_wrong_shape_or_dtype_is_an_error(tmp_path, frames, named):
    with pytest.raises(VideoError, match=named) as raised:
        write_video(tmp_path / "bad.mp4", frames, fps=8)
    assert "uint8" in str(raised.value)  # says what is allowed
    assert_empty_folder(tmp_path)


@pytest.mark.parametrize("fps", [0, -8, float("nan"), float("inf")])
def test_bad_fps_is_an_error(tmp_path, fps):
    with pytest.raises(VideoError, match=f"fps.*{fps}"):
        write_video(tmp_path / "fps.mp4", moving_clip(2), fps=fps)
    assert_empty_folder(tmp_path)


def test_unsupported_suffix_on_write(tmp_path):
    with pytest.raises(VideoError, match=r"'\.avi'.*\.mp4"):
        write_video(tmp_path / "clip.avi", moving_clip(2), fps=8)
    assert_empty_folder(tmp_path)


def test_unsupported_suffix_on_read(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    for reader in (read_video, read_frames, probe, iter_frames, read_image):
        with pytest.raises(VideoError, match=r"'\.txt'.*allowed"):
            reader(tmp_path / "notes.txt")


def test_missing_file(tmp_path):
    for reader in (read_video, read_frames, probe, iter_frames):
        with pytest.raises(VideoError, match=r"nothere\.mp4: no such file"):
            reader(tmp_path / "nothere.mp4")
    with pytest.raises(VideoError, match=r"nothere\.png: no such file"):
        read_image(tmp_path / "nothere.png")


def test_missing_output_folder(tmp_path):
    folder = tmp_path / "missing"
    with pytest.raises(VideoError, match="missing.*does not exist"):
        write_video(folder / "clip.mp4", moving_clip(2), fps=8)
    assert not folder.exists()


def test_random_bytes_named_mp4_is_an_error(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    for reader in (read_video, probe, iter_frames):
        with pytest.raises(VideoError, match="noise.mp4"):
            reader(path)


def test_text_file_named_mp4_is_an_error(tmp_path):
    path = tmp_path / "text.mp4"
    path.write_text("this is not a video\n" * 20)
    with pytest.raises(VideoError, match=r"text\.mp4: not a readable video"):
        read_video(path)


def test_truncated_mp4_is_an_error(tmp_path):
    path = write_video(tmp_path / "cut.mp4", moving_clip(17), fps=8)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) * 6 // 10])  # the index survives; the frame data is cut
    with pytest.raises(VideoError, match=r"cut\.mp4.*(corrupt|truncated|readable)"):
        read_video(path)
    path.write_bytes(data[:200])  # cut inside the index
    with pytest.raises(VideoError, match=r"cut\.mp4"):
        read_video(path)


def test_corrupt_image_is_an_error(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(VideoError, match=r"broken\.png: not a readable image"):
        read_image(path)


# --- previews ---------------------------------------------------------------------------------------


def test_thumbnail_is_a_webp_of_the_middle_frame(tmp_path):
    clip = np.stack([np.full((H, W, 3), 25 * t, np.uint8) for t in range(9)])
    video = write_video(tmp_path / "clip.mp4", clip, fps=8)

    out = write_thumbnail(video, tmp_path / "thumb.webp", width=32)
    with Image.open(out) as image:
        assert image.format == "WEBP" and image.size == (32, 24)
        middle = np.asarray(image.convert("RGB")).mean()
    assert abs(middle - 25 * 4) < 6  # frame 4 of 0..8

    with Image.open(write_thumbnail(video, tmp_path / "full.webp")) as image:
        assert image.size == (W, H)


def test_thumbnail_refuses_other_suffixes(tmp_path):
    video = write_video(tmp_path / "clip.mp4", moving_clip(2), fps=8)
    with pytest.raises(VideoError, match=r"'\.png'.*\.webp"):
        write_thumbnail(video, tmp_path / "thumb.png")


def test_spritesheet_is_a_jpeg_grid(tmp_path):
    video = write_video(tmp_path / "clip.mp4", moving_clip(17), fps=8)
    out = write_spritesheet(video, tmp_path / "sheet.jpg", columns=3, rows=2, tile_width=40)
    with Image.open(out) as image:
        assert image.format == "JPEG"
        assert image.size == (3 * 40, 2 * 30)  # tiles keep the 4:3 aspect


def test_spritesheet_of_a_short_video_has_fewer_tiles(tmp_path):
    video = write_video(tmp_path / "short.mp4", moving_clip(7), fps=8)
    with Image.open(write_spritesheet(video, tmp_path / "sheet.jpg", tile_width=32)) as image:
        assert image.size == (5 * 32, 2 * 24)  # 7 tiles in 5 columns: two rows
    short = write_video(tmp_path / "tiny.mp4", moving_clip(3), fps=8)
    with Image.open(write_spritesheet(short, tmp_path / "tiny.jpg", tile_width=32)) as image:
        assert image.size == (3 * 32, 24)
    assert {p.name for p in tmp_path.iterdir()} == {"short.mp4", "sheet.jpg", "tiny.mp4", "tiny.jpg"}


def test_identical_frames_give_identical_files(tmp_path):
    """Determinism: the same frames encode to the same bytes, every time."""
    rng = np.random.default_rng(0)
    frames = (rng.random((13, 64, 64, 3)) * 255).astype(np.uint8)
    digests = set()
    for i in range(8):
        path = write_video(tmp_path / f"v{i}.mp4", frames, 8)
        digests.add(path.read_bytes())
    assert len(digests) == 1
