"""The one generation interface every engine implements, in PRODUCT.md §1's vocabulary.

A `VideoRequest` says what is wanted (prompt, negative_prompt, seconds, fps, size, seed, steps,
guidance_scale); an engine's `Capabilities` say what it can do; `resolve` fills the engine's defaults
into a request and rejects what the engine cannot do with a `RequestError` naming the bad value and
what is allowed. The CLI, the service and the benchmarks only ever talk to this interface.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

MODES = (
    "text-to-video",
    "image-to-video",
    "extend",
    "connect",
    "edit",
    "loop",
    "storyboard",
    "multi-view",
    "camera",
    "image",
)

MAX_PROMPT_CHARS = 4000


class RequestError(ValueError):
    """A request an engine cannot honour; `param` names the offending field (as OpenAI's errors do)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class StoryboardCard:
    at_second: float
    prompt: str


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    negative_prompt: str = ""
    seconds: float | None = None
    fps: float | None = None
    size: str | None = None
    """"WxH" in pixels, e.g. "128x128"."""
    seed: int | None = None
    steps: int | None = None
    guidance_scale: float | None = None
    mode: str = "text-to-video"
    # Mode inputs (PRODUCT.md §1). Which ones a mode reads is the engine's business; a field a mode
    # does not use is ignored, a field a mode needs and lacks is a RequestError.
    input_reference: Path | None = None
    """image-to-video: the first frame (png / jpg / webp)."""
    source_video: Path | None = None
    """extend, edit: the video to continue or change; connect: the video whose end is joined."""
    target_video: Path | None = None
    """connect: the video whose start is joined to."""
    direction: str = "forward"
    """extend: "forward" (after the source) or "backward" (before it)."""
    strength: float | None = None
    """edit: 0 keeps the source, 1 ignores it (SDEdit's noise level)."""
    storyboard: tuple[StoryboardCard, ...] = ()
    """storyboard: timed prompt cards; the first starts at 0 s."""
    views: int | None = None
    """multi-view: how many cameras look at the one scene."""
    camera: str | None = None
    """camera control: a named path (static, pan-left, orbit-right, dolly-in, crane-up, …)."""


@dataclass(frozen=True)
class Capabilities:
    modes: tuple[str, ...]
    default_size: str
    sizes: tuple[str, ...]
    """Sizes the model was trained at; others on the grid work, with less certain quality."""
    size_multiple: int
    """Width and height must be multiples of this (VAE factor × patch size)."""
    min_side: int
    max_side: int
    default_fps: float
    min_fps: float
    max_fps: float
    default_seconds: float
    max_seconds: float
    default_steps: int
    max_steps: int
    default_guidance_scale: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ResolvedRequest:
    """A request with every default filled in and checked against an engine's capabilities."""

    prompt: str
    negative_prompt: str
    seconds: float
    fps: float
    width: int
    height: int
    frames: int
    seed: int
    steps: int
    guidance_scale: float
    mode: str
    strength: float = 0.0
    """edit: the validated strength (0 for other modes)."""
    direction: str = "forward"
    views: int = 1
    storyboard: tuple[StoryboardCard, ...] = ()
    camera: str | None = None

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass
class GeneratedVideo:
    path: Path
    model: str
    request: ResolvedRequest
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per phase: text, denoise, decode (with writing), total."""
    details: dict = field(default_factory=dict)

    def metadata(self) -> dict:
        r = self.request
        return {
            "model": self.model,
            "prompt": r.prompt,
            "negative_prompt": r.negative_prompt,
            "seed": r.seed,
            "size": r.size,
            "seconds": r.seconds,
            "fps": r.fps,
            "frames": r.frames,
            "steps": r.steps,
            "guidance_scale": r.guidance_scale,
            "mode": r.mode,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            **self.details,
        }


ProgressFn = Callable[[int, int], None]
"""(denoising steps done, steps in all)."""


class Engine(Protocol):
    name: str
    provenance: object
    """What marks the videos it writes (see `provenance_stamp`)."""

    def capabilities(self) -> Capabilities: ...

    def generate(
        self, request: VideoRequest, output: Path, progress: ProgressFn | None = None, *,
        video_id: str | None = None, request_id: str | None = None,
    ) -> GeneratedVideo:
        """Make the video at `output`; `video_id` / `request_id` name it in its provenance (made up if absent)."""
        ...


def provenance_stamp(engine, r: ResolvedRequest, video_id: str | None = None, request_id: str | None = None):
    """The provenance stamp an engine writes one video with (`kinema.safety.provenance.Stamp`), or None.

    Every engine takes `provenance=` when it is built: a `kinema.safety.provenance.Provenance` (the
    service passes its own, so the watermark and the C2PA manifest name the service's video id),
    None for this installation's (read from the safety configuration at the first video, so an engine
    loads without the safety package), or False for none (benchmarks only). The stamp goes to
    `kinema.video.VideoWriter(stamp=...)`, which watermarks each frame, signs the finished file and
    indexes its fingerprints.
    """
    provenance = getattr(engine, "provenance", None)
    if provenance is False:
        return None
    if provenance is None:
        from kinema.safety.provenance import Provenance

        provenance = engine.provenance = Provenance.from_config()
    return provenance.stamp(model=engine.name, fps=r.fps, video_id=video_id, request_id=request_id, extra={"seed": r.seed})


SIZE_PATTERN = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(size: str) -> tuple[int, int]:
    """ "WxH" → (W, H), or a RequestError naming the text."""
    match = SIZE_PATTERN.match(str(size))
    if not match:
        raise RequestError(f"size {size!r} is not WxH (for example 128x128)", param="size")
    return int(match.group(1)), int(match.group(2))


def resolve(request: VideoRequest, caps: Capabilities, seed: int | None = None) -> ResolvedRequest:
    """Fill defaults and check `request` against `caps`; raise RequestError on the first bad value.

    `seed` is used when the request has none (the caller draws it, so it can be reported).
    """
    if request.mode not in caps.modes:
        raise RequestError(
            f"mode {request.mode!r} is not supported by this model; it supports: {', '.join(caps.modes)}", param="mode"
        )
    prompt = request.prompt if isinstance(request.prompt, str) else ""
    if not prompt.strip():
        raise RequestError("prompt is empty; describe the video you want", param="prompt")
    for name, text in (("prompt", prompt), ("negative_prompt", request.negative_prompt)):
        if len(text) > MAX_PROMPT_CHARS:
            raise RequestError(f"{name} is {len(text)} characters; at most {MAX_PROMPT_CHARS} are allowed", param=name)

    width, height = parse_size(request.size or caps.default_size)
    m = caps.size_multiple
    for side, value in (("width", width), ("height", height)):
        if value % m:
            raise RequestError(
                f"size {width}x{height}: {side} {value} is not a multiple of {m} (the model's patch grid); "
                f"try {max(m, round(value / m) * m)}",
                param="size",
            )
        if not caps.min_side <= value <= caps.max_side:
            raise RequestError(
                f"size {width}x{height}: {side} {value} is outside {caps.min_side}–{caps.max_side}", param="size"
            )

    fps = caps.default_fps if request.fps is None else float(request.fps)
    if not (math.isfinite(fps) and caps.min_fps <= fps <= caps.max_fps):
        raise RequestError(f"fps {request.fps} is outside {caps.min_fps:g}–{caps.max_fps:g}", param="fps")

    seconds = caps.default_seconds if request.seconds is None else float(request.seconds)
    if request.mode == "image":
        frames = 1
    else:
        if not (math.isfinite(seconds) and 0 < seconds <= caps.max_seconds):
            raise RequestError(f"seconds {request.seconds} is outside (0, {caps.max_seconds:g}]", param="seconds")
        frames = round(seconds * fps)
        if frames < 1:
            raise RequestError(f"seconds {seconds:g} at {fps:g} fps is less than one frame", param="seconds")

    steps = caps.default_steps if request.steps is None else request.steps
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= caps.max_steps:
        raise RequestError(f"steps {request.steps!r} is outside 1–{caps.max_steps}", param="steps")

    scale = caps.default_guidance_scale if request.guidance_scale is None else float(request.guidance_scale)
    if not (math.isfinite(scale) and 0.0 <= scale <= 30.0):
        raise RequestError(f"guidance_scale {request.guidance_scale} is outside 0–30", param="guidance_scale")

    chosen_seed = request.seed if request.seed is not None else seed
    if chosen_seed is None or not 0 <= int(chosen_seed) < 2**63:
        raise RequestError(f"seed {request.seed} is outside 0–{2**63 - 1}", param="seed")

    return ResolvedRequest(
        prompt=prompt,
        negative_prompt=request.negative_prompt or "",
        seconds=frames / fps if request.mode != "image" else 0.0,
        fps=fps,
        width=width,
        height=height,
        frames=frames,
        seed=int(chosen_seed),
        steps=steps,
        guidance_scale=scale,
        mode=request.mode,
        **_mode_fields(request, frames / fps if request.mode != "image" else 0.0),
    )


CAMERA_NAMES = ("static", "pan-left", "pan-right", "orbit-left", "orbit-right", "dolly-in", "dolly-out", "crane-up", "crane-down")
"""Named camera paths (PRODUCT.md §1); `camera` may also be a JSON list of keyframes."""
DEFAULT_STRENGTH = 0.6
MAX_VIEWS = 6
MAX_CARDS = 8


def parse_keyframes(text: str) -> list[dict]:
    """A camera given as JSON keyframes: [{"at_second", "position": [x, y, z], "target": [x, y, z], "fov"?}, …]."""
    import json

    try:
        frames = json.loads(text)
    except json.JSONDecodeError:
        raise RequestError(
            f"camera {text!r} is neither a named path ({', '.join(CAMERA_NAMES)}) nor JSON keyframes", param="camera"
        ) from None
    if not isinstance(frames, list) or len(frames) < 2:
        raise RequestError("camera keyframes must be a JSON list of at least 2 keyframes", param="camera")
    last = -1.0
    for i, k in enumerate(frames):
        ok = isinstance(k, dict) and isinstance(k.get("at_second"), (int, float)) and all(
            isinstance(k.get(f), list) and len(k[f]) == 3 and all(isinstance(v, (int, float)) for v in k[f]) for f in ("position", "target")
        )
        if not ok:
            raise RequestError(f"camera keyframe {i} needs at_second (number), position [x, y, z] and target [x, y, z]", param="camera")
        if k["at_second"] <= last:
            raise RequestError(f"camera keyframe {i} at {k['at_second']} s must come after the one before ({last} s)", param="camera")
        if not 10.0 <= float(k.get("fov", 45.0)) <= 120.0:
            raise RequestError(f"camera keyframe {i} fov {k.get('fov')} is outside 10–120 degrees", param="camera")
        last = float(k["at_second"])
    return frames


def _mode_fields(request: VideoRequest, seconds: float) -> dict:
    """Check the inputs of the request's mode that need no file or model to check; a RequestError names the bad one."""
    mode, out = request.mode, {}
    if mode == "edit":
        strength = DEFAULT_STRENGTH if request.strength is None else request.strength
        if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0.0 < float(strength) <= 1.0:
            raise RequestError(f"strength {request.strength!r} is outside (0, 1]", param="strength")
        out["strength"] = float(strength)
    if mode == "extend":
        if request.direction not in ("forward", "backward"):
            raise RequestError(f"direction {request.direction!r} is not forward or backward", param="direction")
        out["direction"] = request.direction
    if mode == "multi-view":
        views = 2 if request.views is None else request.views
        if isinstance(views, bool) or not isinstance(views, int) or not 2 <= views <= MAX_VIEWS:
            raise RequestError(f"views {request.views!r} is outside 2–{MAX_VIEWS}", param="views")
        out["views"] = views
    if mode == "storyboard":
        cards = tuple(request.storyboard)
        if not 1 <= len(cards) <= MAX_CARDS:
            raise RequestError(f"a storyboard has 1 to {MAX_CARDS} cards, not {len(cards)}", param="storyboard")
        last = -1.0
        for i, card in enumerate(cards):
            at = card.at_second
            if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
                raise RequestError(f"storyboard card {i}: at_second {at!r} is not a number", param="storyboard")
            if i == 0 and at != 0:
                raise RequestError(f"storyboard card 0 must start at 0 s, not {at:g} s", param="storyboard")
            if at <= last or at >= seconds:
                raise RequestError(
                    f"storyboard card {i} at {at:g} s must come after the previous card and before the end ({seconds:g} s)",
                    param="storyboard",
                )
            if not isinstance(card.prompt, str) or not card.prompt.strip() or len(card.prompt) > MAX_PROMPT_CHARS:
                raise RequestError(f"storyboard card {i} needs a prompt of 1–{MAX_PROMPT_CHARS} characters", param="storyboard")
            last = float(at)
        out["storyboard"] = cards
    if mode == "camera":
        if not request.camera:
            raise RequestError(f"mode 'camera' needs camera: one of {', '.join(CAMERA_NAMES)}, or JSON keyframes", param="camera")
        if request.camera not in CAMERA_NAMES:
            parse_keyframes(request.camera)
        out["camera"] = request.camera
    return out


__all__ = [
    "CAMERA_NAMES",
    "MODES",
    "Capabilities",
    "Engine",
    "GeneratedVideo",
    "ProgressFn",
    "RequestError",
    "ResolvedRequest",
    "StoryboardCard",
    "VideoRequest",
    "parse_keyframes",
    "parse_size",
    "provenance_stamp",
    "resolve",
]
