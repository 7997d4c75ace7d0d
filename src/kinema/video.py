"""Video and image input/output: MP4 out; MP4, WebM, MOV, GIF and still images in.

Choices, and why:

- PyAV only (FFmpeg's libraries, in process). No ffmpeg CLI to find on PATH, no imageio or OpenCV
  layer in between, and decoded frames land straight in numpy via `frame.to_ndarray("rgb24")`.
- Output is always H.264 (`libx264`) in MP4 with yuv420p and `+faststart`: the one combination every
  browser and phone plays, and faststart puts the index ('moov') before the data so a browser can
  start playing before the download ends. yuv420p halves the chroma resolution, so width and height
  must be even; we refuse odd sizes instead of silently cropping or padding.
- fps is a `Fraction` (1/fps is the time base, frame i has pts i), so 8, 24, 7.5 and 30000/1001 are
  exact and a file of N frames lasts exactly N/fps seconds.
- Writes go to a hidden temporary file in the target folder and are renamed into place with
  `os.replace` (atomic on one file system): readers never see a half-written video, and a failure
  leaves nothing at the target path.
- `metadata` is written with `movflags=+use_metadata_tags`, so arbitrary keys (model, seed, ...)
  survive, not only the handful of keys MP4's classic 'udta' box knows.
- Every failure is a `VideoError` (a `ValueError`) naming the file and the problem; FFmpeg's and
  Pillow's exceptions are caught and re-raised with the path, chained for debugging.
- Still images are read with Pillow. Transparent pixels are composited on white, because a logo or
  cut-out on black (what dropping alpha gives) is rarely what the author saw.

Arrays are (H, W, 3) uint8 RGB for one frame and (T, H, W, 3) for a clip.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np
from PIL import Image, ImageOps

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
WRITE_SUFFIXES = (".mp4",)
THUMBNAIL_SUFFIXES = (".webp",)
SPRITESHEET_SUFFIXES = (".jpg", ".jpeg")

# x264's own preset names (slowest gives the smallest file at a given crf).
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                "veryslow", "placebo")

# Pillow's ways of saying "this file is not an image I can decode": UnidentifiedImageError and
# truncated data are OSErrors; a few plugins raise ValueError or SyntaxError; huge images raise
# DecompressionBombError.
_PIL_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)


class VideoError(ValueError):
    """A video or image could not be read or written; the message names the file and the problem."""


@dataclass(frozen=True)
class VideoInfo:
    """What `probe` learns about a video without decoding it."""

    path: Path
    width: int
    height: int
    fps: float
    frames: int
    seconds: float
    codec: str     # decoder name, e.g. "h264", "vp9", "gif"
    pix_fmt: str   # as stored, e.g. "yuv420p"


# --- small checks shared by readers and writers ---------------------------------------------------


def _check_suffix(path: Path, allowed: tuple[str, ...], what: str) -> None:
    if path.suffix.lower() not in allowed:
        raise VideoError(f"{path}: unsupported {what} suffix {path.suffix!r}; allowed: {', '.join(allowed)}")


def _input_path(path: str | os.PathLike, allowed: tuple[str, ...]) -> Path:
    path = Path(path)
    _check_suffix(path, allowed, "input")
    if not path.exists():
        raise VideoError(f"{path}: no such file")
    if not path.is_file():
        raise VideoError(f"{path}: not a regular file")
    return path


def _output_path(path: str | os.PathLike, allowed: tuple[str, ...]) -> Path:
    path = Path(path)
    _check_suffix(path, allowed, "output")
    folder = path.parent
    if not folder.exists():
        raise VideoError(f"{path}: output folder {folder} does not exist")
    if not folder.is_dir():
        raise VideoError(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise VideoError(f"{path}: output folder {folder} is not writable")
    return path


def _temp_beside(path: Path) -> Path:
    """An empty, uniquely named hidden file in `path`'s folder, so os.replace stays atomic.

    Not tempfile.mkstemp: its files are mode 0600, and os.replace would carry that onto the output,
    hiding it from e.g. a web server. Mode 0666 lets the umask decide, as for any new file.
    """
    for _ in range(100):
        temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temp
        except FileExistsError:
            continue
        except OSError as err:  # e.g. a read-only mount, which os.access does not always see
            raise VideoError(f"{path}: cannot create a file in output folder {path.parent} ({err})") from err
    raise VideoError(f"{path}: could not find a free temporary name in {path.parent}")


def _as_fraction(fps: float | Fraction, path: Path) -> Fraction:
    """fps as an exact Fraction; 29.97002997 becomes 30000/1001 (NTSC denominators are 1001)."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float, Fraction)):
        raise VideoError(f"{path}: fps must be a number, got {fps!r}")
    if not math.isfinite(fps) or fps <= 0:
        raise VideoError(f"{path}: fps must be a finite number > 0, got {fps!r}")
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:  # a tiny positive fps can round to zero at denominator 1001
        raise VideoError(f"{path}: fps {fps!r} is too small; the smallest is 1/1001")
    return rate


def _check_frame(frame: object, path: Path) -> np.ndarray:
    """The frame as a contiguous (H, W, 3) uint8 array, or a VideoError saying what was wrong."""
    if not isinstance(frame, np.ndarray):
        raise VideoError(f"{path}: a frame must be a numpy array (H, W, 3) uint8, got {type(frame).__name__}")
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise VideoError(
            f"{path}: a frame must be (H, W, 3) uint8 RGB, got shape {frame.shape} dtype {frame.dtype}"
        )
    height, width = frame.shape[:2]
    if width % 2 or height % 2 or width == 0 or height == 0:
        raise VideoError(
            f"{path}: frame size {width}x{height} (WxH) is not allowed; H.264 yuv420p needs even, "
            f"non-zero width and height"
        )
    return np.ascontiguousarray(frame)


# --- writing --------------------------------------------------------------------------------------


class Stamp(Protocol):
    """What a writer asks of provenance (kinema.safety.provenance.Stamp fills it; video.py imports
    nothing of it, so writing a plain video never loads the safety package)."""

    def frame(self, frame: np.ndarray) -> np.ndarray: ...
    def seal(self, path: Path, final: Path) -> None: ...
    def commit(self, path: Path) -> None: ...


class VideoWriter:
    """Streams RGB frames into an H.264 MP4 (yuv420p, +faststart) without holding them in memory.

    Use it as a context manager: a clean exit finalises the file, an exception discards it.

        with VideoWriter("out.mp4", fps=24) as writer:
            for frame in frames:  # each (H, W, 3) uint8 RGB
                writer.write(frame)

    The output file only appears at `path` when `close()` succeeds; until then frames go to a
    hidden temporary file in the same folder.

    With a `stamp` (provenance), each frame passes through `stamp.frame` before encoding (the
    watermark), the finished temporary file through `stamp.seal` before it is renamed into place
    (the signed manifest), and `stamp.commit` learns the final path (the fingerprint index). A
    failing stamp fails the write: no unmarked video is left behind.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float | Fraction,
        *,
        crf: int = 18,
        preset: str = "medium",
        metadata: dict[str, str] | None = None,
        stamp: Stamp | None = None,
    ) -> None:
        self.path = _output_path(path, WRITE_SUFFIXES)
        self._stamp = stamp
        self.fps = _as_fraction(fps, self.path)
        # crf 0 is lossless, 51 the worst; 18 is visually near lossless (x264's docs).
        if isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= 51:
            raise VideoError(f"{self.path}: crf must be an int in 0..51, got {crf!r}")
        if preset not in X264_PRESETS:
            raise VideoError(f"{self.path}: unknown x264 preset {preset!r}; allowed: {', '.join(X264_PRESETS)}")
        metadata = dict(metadata or {})
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str) or not key:
                raise VideoError(f"{self.path}: metadata must map non-empty str to str, got {key!r}: {value!r}")
        self._crf, self._preset, self._metadata = crf, preset, metadata

        self._temp: Path | None = None
        self._container = None
        self._stream = None
        self._size: tuple[int, int] | None = None  # (H, W), fixed by the first frame
        self._frames_written = 0
        self._closed = False    # no more writes: finished or discarded
        self._finished = False  # the file is at `path`

    @property
    def frames_written(self) -> int:
        return self._frames_written

    def _open(self, height: int, width: int) -> None:
        """Open the temporary file and the encoder once the first frame gives the size."""
        self._temp = _temp_beside(self.path)
        try:
            # The muxer writes the moov atom last; faststart moves it to the front in a second pass.
            self._container = av.open(
                str(self._temp), "w", format="mp4", options={"movflags": "+faststart+use_metadata_tags"}
            )
            self._container.metadata.update(self._metadata)
            stream = self._container.add_stream(
                "libx264",
                rate=self.fps,
                # mbtree=0: x264's macroblock-tree rate control made byte-different files (and
                # different decoded pixels) from identical frames from one run to the next; the same
                # request with the same seed must give the same video. It costs a few % of bitrate.
                options={"crf": str(self._crf), "preset": self._preset, "x264-params": "mbtree=0"},
            )
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            self._stream = stream
        except av.FFmpegError as err:
            self._discard()
            raise VideoError(f"{self.path}: could not start the H.264 encoder: {err}") from err
        self._size = (height, width)

    def write(self, frame: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 RGB frame; the first frame fixes the size of the video."""
        if self._closed:
            raise VideoError(f"{self.path}: the writer is closed (finished or discarded); it takes no more frames")
        frame = _check_frame(frame, self.path)
        if self._stamp is not None:
            frame = _check_frame(self._stamp.frame(frame), self.path)
        if self._size is None:
            self._open(*frame.shape[:2])
        elif frame.shape[:2] != self._size:
            (h0, w0), (h, w) = self._size, frame.shape[:2]
            raise VideoError(
                f"{self.path}: frame {self._frames_written} is {w}x{h} (WxH) but the video is {w0}x{h0}; "
                f"all frames must have the size of the first"
            )
        # encode() converts rgb24 to the stream's yuv420p (BT.601, as the decoder assumes).
        video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
        video_frame.pts = self._frames_written          # in units of 1/fps
        video_frame.time_base = 1 / self.fps
        try:
            for packet in self._stream.encode(video_frame):
                self._container.mux(packet)
        except av.FFmpegError as err:
            self._discard()
            raise VideoError(f"{self.path}: encoding frame {self._frames_written} failed: {err}") from err
        self._frames_written += 1

    def close(self) -> Path:
        """Flush the encoder, finish the file and move it to `path`; returns `path`."""
        if self._finished:
            return self.path
        if self._closed:
            raise VideoError(f"{self.path}: the writer was discarded after an error; there is no file")
        if self._frames_written == 0:
            self._discard()
            raise VideoError(f"{self.path}: no frames to write")
        try:
            for packet in self._stream.encode():  # no frame: flush those held back for B-frames
                self._container.mux(packet)
            self._container.close()
            self._container = None
            if self._stamp is not None:
                self._stamp.seal(self._temp, self.path)
            os.replace(self._temp, self.path)
        except (av.FFmpegError, OSError) as err:
            self._discard()
            raise VideoError(f"{self.path}: finishing the file failed: {err}") from err
        except Exception:
            self._discard()  # a failed seal (signing) leaves no file, as any failure does
            raise
        self._temp, self._closed, self._finished = None, True, True
        if self._stamp is not None:
            self._stamp.commit(self.path)
        return self.path

    def _discard(self) -> None:
        """Drop everything written so far; no file is left at `path` or beside it."""
        self._closed = True
        if self._container is not None:
            try:
                self._container.close()
            except av.FFmpegError:
                pass  # the data is being thrown away; an error finishing it changes nothing
            self._container = None
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._discard()
        elif not self._closed:
            self.close()


def write_video(
    path: str | os.PathLike,
    frames: Iterable[np.ndarray] | np.ndarray,
    fps: float | Fraction,
    **kwargs,
) -> Path:
    """Write frames, a (T, H, W, 3) uint8 array or an iterable of (H, W, 3) ones, to an MP4.

    kwargs go to `VideoWriter` (crf, preset, metadata). Returns the path.
    """
    if not isinstance(frames, Iterable):
        raise VideoError(f"{path}: frames must be an array or an iterable of arrays, got {type(frames).__name__}")
    if isinstance(frames, np.ndarray):
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
            raise VideoError(
                f"{path}: frames must be (T, H, W, 3) uint8 RGB, got shape {frames.shape} dtype {frames.dtype}"
            )
        if len(frames) == 0:
            raise VideoError(f"{path}: no frames to write")
    with VideoWriter(path, fps, **kwargs) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.path


# --- reading videos -------------------------------------------------------------------------------


def _open_video(path: Path):
    """(container, video stream) for a video file, with multi-threaded decoding switched on."""
    try:
        container = av.open(str(path), "r")
    except av.FFmpegError as err:
        raise VideoError(f"{path}: not a readable video ({err.strerror or err})") from err
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path}: the file has no video stream")
    stream = container.streams.video[0]
    stream.codec_context.thread_type = "AUTO"  # frame and slice threads: several times faster
    return container, stream


def _stream_fps(stream) -> Fraction | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return Fraction(rate) if rate else None


def _decoded(path: Path, container, stream) -> Iterator[tuple[np.ndarray, float]]:
    """Yields ((H, W, 3) uint8 RGB, duration in seconds) per frame; the caller closes the container."""
    count = 0
    try:
        for frame in container.decode(stream):
            seconds = float(frame.duration * stream.time_base) if frame.duration and stream.time_base else 0.0
            count += 1
            yield frame.to_ndarray(format="rgb24"), seconds
    except av.FFmpegError as err:
        raise VideoError(f"{path}: the video is corrupt or truncated ({err.strerror or err})") from err
    # FFmpeg stops quietly where a file's data ends; MP4 and MOV list their frames in the index, so
    # fewer decoded frames than listed means the file was cut short.
    listed = stream.frames
    if path.suffix.lower() in (".mp4", ".mov") and count and listed and count < listed:
        raise VideoError(f"{path}: the video is truncated: its index lists {listed} frames but only {count} could be decoded")


def _gif_fps(path: Path, frames: int, seconds: float, stream) -> float:
    """GIF frames carry their own delays; the fps that plays them in the same time is frames/seconds."""
    if seconds > 0:
        return frames / seconds
    rate = _stream_fps(stream)
    if rate is None:
        raise VideoError(f"{path}: the GIF has no frame delays and no frame rate")
    return float(rate)


def iter_frames(path: str | os.PathLike) -> Iterator[np.ndarray]:
    """Decode a video one (H, W, 3) uint8 RGB frame at a time, holding only the current one.

    The file is opened (and checked) at once; decoding errors surface while iterating.
    """
    path = _input_path(path, VIDEO_SUFFIXES)
    container, stream = _open_video(path)

    def frames() -> Iterator[np.ndarray]:
        count = 0
        with container:  # also closed if the caller stops early (GeneratorExit)
            for frame, _ in _decoded(path, container, stream):
                count += 1
                yield frame
        if count == 0:
            raise VideoError(f"{path}: the video has no decodable frames")

    return frames()


def read_video(path: str | os.PathLike, *, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """Decode a whole video (or its first `max_frames` frames): ((T, H, W, 3) uint8 RGB, fps)."""
    path = _input_path(path, VIDEO_SUFFIXES)
    if max_frames is not None and (isinstance(max_frames, bool) or not isinstance(max_frames, int)
                                   or max_frames < 1):
        raise VideoError(f"{path}: max_frames must be an int >= 1 or None, got {max_frames!r}")
    container, stream = _open_video(path)
    rate = _stream_fps(stream)
    frames, seconds = [], 0.0
    with container:
        for frame, duration in _decoded(path, container, stream):
            frames.append(frame)
            seconds += duration
            if max_frames is not None and len(frames) >= max_frames:
                break
    if not frames:
        raise VideoError(f"{path}: the video has no decodable frames")
    if path.suffix.lower() == ".gif":
        fps = _gif_fps(path, len(frames), seconds, stream)
    elif rate is not None:
        fps = float(rate)
    else:
        raise VideoError(f"{path}: the video stream has no frame rate")
    return np.stack(frames), fps  # (T, H, W, 3)


def probe(path: str | os.PathLike) -> VideoInfo:
    """Size, fps, frame count, duration and codec of a video, from its headers (no decoding).

    Where the container does not store a frame count (WebM), packets are counted instead.
    """
    path = _input_path(path, VIDEO_SUFFIXES)
    container, stream = _open_video(path)
    with container:
        ctx = stream.codec_context
        is_gif = path.suffix.lower() == ".gif"
        frames = stream.frames
        packet_seconds = 0.0
        if frames <= 0 or is_gif:
            frames = 0
            try:
                # Demuxing reads the compressed packets without decoding them: cheap next to decoding.
                for packet in container.demux(stream):
                    if packet.size > 0:  # the demuxer ends with an empty flush packet
                        frames += 1
                        packet_seconds += float(packet.duration * packet.time_base) if packet.duration else 0.0
            except av.FFmpegError as err:
                raise VideoError(f"{path}: the video is corrupt or truncated ({err.strerror or err})") from err
        if frames <= 0:
            raise VideoError(f"{path}: the video has no frames")
        if is_gif:
            fps = _gif_fps(path, frames, packet_seconds, stream)
        else:
            rate = _stream_fps(stream)
            if rate is None:
                raise VideoError(f"{path}: the video stream has no frame rate")
            fps = float(rate)
        if stream.duration and stream.time_base:
            seconds = float(stream.duration * stream.time_base)
        elif container.duration:
            seconds = container.duration / av.time_base  # microseconds
        else:
            seconds = frames / fps
        return VideoInfo(
            path=path, width=ctx.width, height=ctx.height, fps=fps, frames=frames, seconds=seconds,
            codec=ctx.name, pix_fmt=ctx.pix_fmt or "",
        )


# --- reading images -------------------------------------------------------------------------------


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read a png / jpg / jpeg / webp as (H, W, 3) uint8 RGB.

    Transparency is composited on white. EXIF rotation is applied, so phone photos come out upright.
    An animated png / webp gives its first frame.
    """
    path = _input_path(path, IMAGE_SUFFIXES)
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
            if has_alpha:
                rgba = image.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(white, rgba)
            return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()  # (H, W, 3)
    except _PIL_ERRORS as err:
        raise VideoError(f"{path}: not a readable image ({err})") from err


def read_frames(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """Any accepted input as ((T, H, W, 3) uint8 RGB, fps).

    A still image gives T = 1 and fps 0.0: a still has no frame rate, and 0.0 keeps the type a float
    that no caller can mistake for a real rate.
    """
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return read_image(path)[None], 0.0  # (1, H, W, 3)
    if suffix in VIDEO_SUFFIXES:
        return read_video(path)
    raise VideoError(
        f"{path}: unsupported input suffix {Path(path).suffix!r}; allowed: "
        f"{', '.join(VIDEO_SUFFIXES + IMAGE_SUFFIXES)}"
    )


# --- previews -------------------------------------------------------------------------------------


def _pick_frames(path: Path, indices: list[int]) -> list[np.ndarray]:
    """The frames at sorted `indices`, decoding sequentially and keeping only those."""
    wanted, picked = set(indices), []
    for i, frame in enumerate(iter_frames(path)):
        if i in wanted:
            picked.append(frame.copy())
            if len(picked) == len(wanted):
                break
    return picked


def _check_width(width: int, name: str, path: Path) -> None:
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise VideoError(f"{path}: {name} must be an int >= 1, got {width!r}")


def _save_atomically(image: Image.Image, out_path: Path, format: str, **options) -> Path:
    temp = _temp_beside(out_path)
    try:
        image.save(temp, format=format, **options)
        os.replace(temp, out_path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise VideoError(f"{out_path}: could not write the {format} image ({err})") from err
    return out_path


def write_thumbnail(
    video_path: str | os.PathLike, out_path: str | os.PathLike, *, width: int | None = None
) -> Path:
    """Save the middle frame of a video as .webp, resized to `width` (aspect kept) if given."""
    out_path = _output_path(out_path, THUMBNAIL_SUFFIXES)
    if width is not None:
        _check_width(width, "width", out_path)
    info = probe(video_path)
    # The middle frame: the first is often black or a fade-in, the last a fade-out.
    frames = _pick_frames(info.path, [info.frames // 2])
    if not frames:  # the header counted more frames than decode; take the last one there is
        for last in iter_frames(info.path):
            pass
        frames = [last]
    image = Image.fromarray(frames[0])
    if width is not None:
        height = max(1, round(width * image.height / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return _save_atomically(image, out_path, "WEBP", quality=85)


def write_spritesheet(
    video_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    columns: int = 5,
    rows: int = 5,
    tile_width: int = 160,
) -> Path:
    """Save a .jpg grid of up to columns*rows evenly spaced frames, read left to right, top down.

    Each tile is `tile_width` wide with the video's aspect. A video with fewer frames than tiles
    gives one tile per frame; the sheet then has ceil(tiles / columns) rows (and fewer columns if
    there is less than one row).
    """
    out_path = _output_path(out_path, SPRITESHEET_SUFFIXES)
    for value, name in ((columns, "columns"), (rows, "rows"), (tile_width, "tile_width")):
        _check_width(value, name, out_path)
    info = probe(video_path)
    count = min(columns * rows, info.frames)
    # Evenly spaced over [0, frames - 1], so the first and last frames are both shown.
    indices = sorted({int(i) for i in np.linspace(0, info.frames - 1, count).round()})
    frames = _pick_frames(info.path, indices)
    if not frames:
        raise VideoError(f"{info.path}: no frames could be decoded for the spritesheet")
    tile_height = max(1, round(tile_width * info.height / info.width))
    used_columns = min(columns, len(frames))
    used_rows = math.ceil(len(frames) / used_columns)
    sheet = Image.new("RGB", (used_columns * tile_width, used_rows * tile_height), (0, 0, 0))
    for n, frame in enumerate(frames):
        tile = Image.fromarray(frame).resize((tile_width, tile_height), Image.Resampling.LANCZOS)
        row, column = divmod(n, used_columns)
        sheet.paste(tile, (column * tile_width, row * tile_height))
    return _save_atomically(sheet, out_path, "JPEG", quality=85)
