"""A tiny fake engine that declares every mode, for testing the job plumbing of modes the native
engine does not have yet (issue 7). It writes a real MP4 (so previews and downloads are real), with
the provenance it was built with as real engines do, and reports progress per step like a real
engine. It imports no torch."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from kinema.engines.base import MODES, Capabilities, GeneratedVideo, VideoRequest, provenance_stamp, resolve
from kinema.video import probe, read_image, write_video

FAKE_CAPS = Capabilities(
    modes=MODES, default_size="64x64", sizes=("64x64",), size_multiple=16, min_side=32, max_side=256,
    default_fps=8.0, min_fps=1.0, max_fps=30.0, default_seconds=1.0, max_seconds=60.0, default_steps=4,
    max_steps=200, default_guidance_scale=5.0,
)


class FakeEngine:
    name = "fake"

    def __init__(self, fail_with: Exception | None = None):
        self.fail_with = fail_with
        self.provenance = None
        self.requests: list[VideoRequest] = []
        self.ids: list[tuple[str | None, str | None]] = []
        """(video_id, request_id) of each generate call."""
        self.source_frames: list[int | None] = []
        """Frames in each request's source_video, read while the worker's copy still exists."""
        self.pause_at: int | None = None
        """Stop after reporting this step until `resume` is set (`paused` is set meanwhile)."""
        self.paused = threading.Event()
        self.resume = threading.Event()

    def capabilities(self) -> Capabilities:
        return FAKE_CAPS

    def generate(self, request: VideoRequest, output: Path, progress=None, *, video_id=None, request_id=None) -> GeneratedVideo:
        r = resolve(request, FAKE_CAPS)
        self.requests.append(request)
        self.ids.append((video_id, request_id))
        self.source_frames.append(probe(request.source_video).frames if request.source_video else None)
        for step in range(1, r.steps + 1):
            if progress:
                progress(step, r.steps)
            if step == self.pause_at:
                self.paused.set()
                assert self.resume.wait(30), "the test never resumed the engine"
        if self.fail_with is not None:
            raise self.fail_with
        rng = np.random.default_rng(r.seed)
        frames = rng.integers(0, 255, (r.frames, r.height, r.width, 3), dtype=np.uint8)
        if request.input_reference is not None:  # an image-to-video's first frame is the image
            image = read_image(request.input_reference)
            frames[0] = np.resize(image, frames[0].shape)
        stamp = provenance_stamp(self, r, video_id, request_id)
        write_video(output, frames, r.fps, stamp=stamp)
        details = {"provenance": stamp.details()} if stamp is not None else {}
        return GeneratedVideo(path=Path(output), model=self.name, request=r, timings={"total": 0.0}, details=details)


def fake_loader(engine: FakeEngine):
    """A worker's loader that hands out `engine`, built with the worker's provenance as real ones are."""

    def load(source, device, provenance=None):
        engine.provenance = provenance
        return engine

    return load
