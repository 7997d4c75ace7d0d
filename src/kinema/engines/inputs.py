"""The inputs a mode reads besides the prompt, read from files and fitted to the output size.

- image-to-video: the still (`input_reference`);
- extend: the source video's last frame (forward) or first frame (backward);
- connect: the source's last frame and the target's first frame;
- edit: the source's frames, resampled to the output's frame rate.

Frames are fitted by centre-cropping to the output's aspect ratio, then resizing (Lanczos), so nothing
is stretched; a crop is reported in the result's notes. `kinema.video` (PyAV) is imported only when a
file is actually read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kinema.engines.base import RequestError, VideoRequest

NEEDS = {
    "image-to-video": ("input_reference",),
    "extend": ("source_video",),
    "connect": ("source_video", "target_video"),
    "edit": ("source_video",),
}
"""The request fields each mode needs."""


@dataclass
class ModeInputs:
    """What a request's mode inputs hold, as (H, W, 3) uint8 RGB frames."""

    image: np.ndarray | None = None
    source_first: np.ndarray | None = None
    source_last: np.ndarray | None = None
    target_first: np.ndarray | None = None
    source: Path | None = None
    source_fps: float = 0.0
    source_frames: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def source_seconds(self) -> float:
        return self.source_frames / self.source_fps if self.source_fps else 0.0

    @property
    def aspect(self) -> float | None:
        """Width / height of the first input there is (the output's size follows it when none is given)."""
        for frame in (self.image, self.source_last, self.source_first, self.target_first):
            if frame is not None:
                return frame.shape[1] / frame.shape[0]
        return None


def read(request: VideoRequest) -> ModeInputs:
    """Read what `request.mode` needs; a RequestError names a missing field, a VideoError a bad file."""
    for name in NEEDS.get(request.mode, ()):
        if getattr(request, name) is None:
            raise RequestError(f"mode {request.mode!r} needs {name}", param=name)
    inputs = ModeInputs()
    if request.mode not in NEEDS:
        return inputs
    from kinema.video import iter_frames, probe, read_image

    if request.mode == "image-to-video":
        inputs.image = read_image(request.input_reference)
        return inputs
    info = probe(request.source_video)
    inputs.source, inputs.source_fps, inputs.source_frames = Path(request.source_video), info.fps, info.frames
    if request.mode == "edit":
        inputs.source_first = next(iter_frames(request.source_video))
    elif request.mode == "extend" and request.direction == "backward":
        inputs.source_first = next(iter_frames(request.source_video))
    else:
        for frame in iter_frames(request.source_video):
            inputs.source_last = frame
    if request.mode == "connect":
        inputs.target_first = next(iter_frames(request.target_video))
    return inputs


IN_MEMORY = {
    "image-to-video": ("image",),
    "extend": ("source_last",),
    "connect": ("source_last", "target_first"),
}
"""The ModeInputs frames each mode needs when they come in memory (an edit samples its source's file)."""


def check_in_memory(mode: str, inputs: ModeInputs, direction: str = "forward") -> None:
    """A RequestError unless `inputs` holds the frames `mode` needs (for callers that pass frames, not files)."""
    if mode == "edit":
        raise RequestError("an edit samples its source video's frames from the file; pass source_video, not frames", param="source_video")
    needed = ("source_first",) if (mode, direction) == ("extend", "backward") else IN_MEMORY.get(mode, ())
    missing = [name for name in needed if getattr(inputs, name) is None]
    if missing:
        raise RequestError(f"mode {mode!r} needs the frames {', '.join(missing)} in its inputs", param="mode")


def fit(frame: np.ndarray, width: int, height: int, what: str = "", notes: list[str] | None = None):
    """(H, W, 3) uint8 → a PIL image of exactly width × height: centre crop to the aspect, then resize."""
    from PIL import Image, ImageOps

    image = Image.fromarray(frame)
    h, w = frame.shape[:2]
    if notes is not None and abs(w / h - width / height) > 0.01:
        notes.append(f"{what} {w}x{h} was centre-cropped to the output's aspect and resized to {width}x{height}")
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS)


def sample_video(path: Path, source_fps: float, fps: float, count: int, width: int, height: int, notes: list[str]) -> list:
    """`count` frames of the video at `path`, taken at `fps` from its start (nearest earlier source frame),
    fitted to width × height. Past the source's end its last frame is held, and a note says so."""
    from kinema.video import iter_frames

    wanted = [int(i * source_fps / fps + 1e-6) for i in range(count)]
    picked: dict[int, np.ndarray] = {}
    last_index, last = -1, None
    for index, frame in enumerate(iter_frames(path)):
        last_index, last = index, frame
        if index in wanted:
            picked[index] = frame
        if index >= wanted[-1]:
            break
    if wanted[-1] > last_index:
        notes.append(f"source_video has {last_index + 1} frames at {source_fps:g} fps; its last frame is held to fill {count / fps:g} s")
    fitted: dict[int, object] = {}
    frames = []
    for i, index in enumerate(wanted):
        key = min(index, last_index)
        if key not in fitted:
            fitted[key] = fit(picked.get(key, last), width, height, "source_video", notes if i == 0 else None)
        frames.append(fitted[key])
    return frames


__all__ = ["NEEDS", "ModeInputs", "check_in_memory", "fit", "read", "sample_video"]
