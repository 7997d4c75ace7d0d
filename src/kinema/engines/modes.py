"""How the native engine turns each mode of PRODUCT.md §1 into one denoising job for its DiT.

Every mode is the same model call — a DiT denoising a latent sequence in windows — told different
things (the conditioning designed into training, see `training/train_dit.py`):

| mode | what is known | what else the DiT is told |
|---|---|---|
| text-to-video, image | nothing | — |
| image-to-video | latent frame 0 = the image | — |
| extend forward / backward | the source's latents before / after the new ones | — |
| connect | the first video's last and the second's first latents around the new ones | — |
| loop | a generated still at both ends | — |
| edit / remix | nothing; denoising starts part-way from the source's latents (SDEdit) | — |
| storyboard | nothing | each latent frame's shot, the cards joined into one caption with its cuts |
| multi-view | nothing | N cameras' sequences packed into one, each frame's view and camera |
| camera | nothing | each latent frame's camera pose; a named path is also said in the caption |

`plan(...)` reads the mode's inputs, encodes what is known with the VAE, and returns a `Plan`: the
latent sequence to fill, what is fixed in it, per-frame conditioning, the caption, and which frames
to write (source frames are written as they were, not re-decoded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from kinema.conditioning import camera_features, latent_frames, shot_indices
from kinema.engines.base import CAMERA_NAMES, RequestError, ResolvedRequest, VideoRequest, parse_keyframes

MULTIVIEW_SETUPS = ("front", "left", "right", "back", "top", "wide")
"""The cameras of an N-view request, in order (view 0 is the front camera)."""


@dataclass
class Plan:
    """One request as a denoising job. Latent tensors are (V, C, L, h, w); V views, L latent frames."""

    views: int
    length: int
    known: torch.Tensor
    """Fixed latents (zeros where nothing is fixed)."""
    known_mask: torch.Tensor
    """(L,) bool: latent frames that are fixed (in every view)."""
    shots: torch.Tensor
    """(L,) long: the storyboard shot of each latent frame."""
    camera: torch.Tensor
    """(V, L, 8): camera features per latent frame; zeros = none given (as when training dropped them)."""
    prompt: str
    init: torch.Tensor | None = None
    """edit: the source's latents, noised to `start` to begin from."""
    start: float = 1.0
    backward: bool = False
    """Fill the sequence from its end towards its start (backward extension)."""
    head: list[np.ndarray] = field(default_factory=list)
    """Frames written before the generated ones, as they were (the source of a forward extension, …)."""
    tail: list[np.ndarray] = field(default_factory=list)
    """Frames written after the generated ones (the source of a backward extension, a connection's target)."""
    skip: int = 0
    """Decoded frames not written at the start (the decoded copy of what `head` holds)."""
    count: int = 0
    """Decoded frames written after `skip` (per view)."""
    first_frame: np.ndarray | None = None
    """image-to-video: written as frame 0 exactly, instead of its decoded copy."""
    loop_image: bool = False
    """loop: latent frame 0 (and the last) is a still generated first from the caption."""
    notes: list[str] = field(default_factory=list)


def _frames_of(path, fps: float, width: int, height: int, notes: list[str], count: int | None = None) -> list[np.ndarray]:
    """The video at `path` at `fps`, fitted to width × height, as (H, W, 3) uint8 frames."""
    from kinema.engines.inputs import sample_video
    from kinema.video import probe

    info = probe(path)
    total = count if count is not None else max(1, int(round(info.frames * fps / info.fps)))
    return [np.asarray(f) for f in sample_video(path, info.fps, fps, total, width, height, notes)]


def _padded(frames: list[np.ndarray], temporal: int, at_end: bool = True) -> list[np.ndarray]:
    """Frames padded to 1 + k·temporal by repeating the last (or first) frame."""
    need = 1 + math.ceil(max(len(frames) - 1, 0) / temporal) * temporal - len(frames)
    return frames + [frames[-1]] * need if at_end else [frames[0]] * need + frames


@torch.inference_mode()
def encode(vae, frames: list[np.ndarray], device: torch.device, autocast: bool) -> torch.Tensor:
    """(H, W, 3) uint8 frames (1 + 4k of them) → normalised latents (C, k + 1, h, w), encoded in causal chunks."""
    x = torch.from_numpy(np.stack(frames)).to(device).float().div(127.5).sub(1.0)  # (T, H, W, 3)
    x = x.permute(3, 0, 1, 2)[None]  # (1, 3, T, H, W)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
        return vae.encode(x, chunked=True)[0].float()


def _camera_rows(poses: np.ndarray, temporal: int) -> torch.Tensor:
    return torch.from_numpy(camera_features(poses, temporal))


def named_camera_poses(view: str, path: str, frames: int, fps: float) -> np.ndarray:
    """(T, 7) poses of Kinema World's camera set-up `view` moving along `path`."""
    from kinema.world.camera import poses
    from kinema.world.scene import Camera

    times = np.arange(frames) / fps
    return poses(Camera(view, path), times, np.zeros((frames, 1, 3)))


def keyframe_poses(keyframes: list[dict], frames: int, fps: float) -> np.ndarray:
    """(T, 7) poses linearly interpolated between keyframes (held before the first and after the last)."""
    at = np.array([k["at_second"] for k in keyframes], dtype=float)
    values = np.array([[*k["position"], *k["target"], float(k.get("fov", 45.0))] for k in keyframes])
    times = np.arange(frames) / fps
    return np.stack([np.interp(times, at, values[:, j]) for j in range(7)], axis=-1)


def _path_phrase(path: str) -> str:
    from kinema.world.captions import WORDS

    return WORDS["path"][path][0]


def plan(engine, request: VideoRequest, r: ResolvedRequest) -> Plan:
    """The denoising job for `request` (resolved as `r`) on `engine` (a NativeEngine)."""
    vae_cfg = engine.config.vae
    temporal, spatial, C = vae_cfg.temporal_factor, vae_cfg.spatial_factor, vae_cfg.latent_channels
    h, w = r.height // spatial, r.width // spatial
    device, autocast = engine.device, engine.autocast
    new = latent_frames(1 + math.ceil(max(r.frames - 1, 0) / temporal) * temporal, temporal)  # latent frames to make
    notes: list[str] = []
    prompt = engine.expand_prompt(r.prompt, r.seed)

    def empty(L: int, V: int = 1) -> dict:
        return {
            "views": V,
            "length": L,
            "known": torch.zeros(V, C, L, h, w, device=device),
            "known_mask": torch.zeros(L, dtype=torch.bool),
            "shots": torch.zeros(L, dtype=torch.long),
            "camera": torch.zeros(V, L, 8),
            "prompt": prompt,
            "count": r.frames,
            "notes": notes,
        }

    mode = r.mode
    if mode in ("text-to-video", "image"):
        return Plan(**empty(new))

    if mode == "image-to-video":
        from kinema.engines.inputs import fit
        from kinema.video import read_image

        image = np.asarray(fit(read_image(request.input_reference), r.width, r.height, "input_reference", notes))
        spec = empty(new)
        spec["known"][0, :, 0] = encode(engine.vae, [image], device, autocast)[:, 0]
        spec["known_mask"][0] = True
        return Plan(**spec, first_frame=image)

    if mode in ("extend", "connect", "edit") and request.source_video is None:
        raise RequestError(f"mode {mode!r} needs source_video", param="source_video")

    if mode == "extend":
        source = _frames_of(request.source_video, r.fps, r.width, r.height, notes)
        forward = r.direction == "forward"
        padded = _padded(source, temporal, at_end=forward)
        z = encode(engine.vae, padded, device, autocast)  # (C, S, h, w)
        S = z.shape[1]
        spec = empty(S + new)
        if forward:
            spec["known"][0, :, :S] = z
            spec["known_mask"][:S] = True
            return Plan(**spec, head=source, skip=1 + (S - 1) * temporal)
        # Backward: the new frames come first; the source's latents (its first frame encoded alone,
        # as always) follow them.
        spec["known"][0, :, new:] = z
        spec["known_mask"][new:] = True
        return Plan(**spec, backward=True, tail=source, skip=0)

    if mode == "connect":
        if request.target_video is None:
            raise RequestError("mode 'connect' needs target_video", param="target_video")
        overlap = engine.config.sampling.window_overlap
        window = engine.config.sampling.window_latent_frames
        new = math.ceil(r.frames / temporal)  # whole latent frames of 4 between A's last and B's first
        if new * temporal != r.frames:
            notes.append(f"the transition is {new * temporal} frames: whole groups of {temporal}")
        if new > window - 2 * overlap:
            longest = (1 + (window - 2 * overlap - 1) * temporal) / r.fps
            raise RequestError(f"a connection is at most {longest:g} s at {r.fps:g} fps (one window); asked {r.seconds:g} s", param="seconds")
        first = _frames_of(request.source_video, r.fps, r.width, r.height, notes)
        second = _frames_of(request.target_video, r.fps, r.width, r.height, notes)
        za = encode(engine.vae, _padded(first, temporal), device, autocast)
        zb = encode(engine.vae, _padded(second, temporal), device, autocast)
        A, B = za.shape[1], zb.shape[1]
        spec = empty(A + new + B)
        spec["known"][0, :, :A] = za
        spec["known"][0, :, A + new :] = zb
        spec["known_mask"][:A] = True
        spec["known_mask"][A + new :] = True
        spec["count"] = new * temporal  # the transition's own frames, between A's decoded end and B
        return Plan(**spec, head=first, tail=second, skip=1 + (A - 1) * temporal)

    if mode == "edit":
        source = _frames_of(request.source_video, r.fps, r.width, r.height, notes, count=r.frames)
        z = encode(engine.vae, _padded(source, temporal), device, autocast)
        spec = empty(z.shape[1])
        return Plan(**spec, init=z[None], start=r.strength)

    if mode == "loop":
        spec = empty(max(new, 2))
        spec["count"] = 1 + (spec["length"] - 2) * temporal  # stop before the last latent frame: it is frame 0 again
        return Plan(**spec, loop_image=True)

    if mode == "storyboard":
        cards = r.storyboard
        joined = " ".join(
            [cards[0].prompt.rstrip(". ") + "."]
            + [f"At {c.at_second:g} seconds the shot cuts to {c.prompt.rstrip('. ')}." for c in cards[1:]]
        )
        spec = empty(new)
        spec["prompt"] = (r.prompt.rstrip(". ") + ". " + joined) if r.prompt.strip() else joined
        frames = 1 + (new - 1) * temporal
        spec["shots"] = torch.from_numpy(shot_indices([c.at_second for c in cards], frames, r.fps, temporal)).clamp_max(
            engine.config.dit.max_shots - 1
        )
        return Plan(**spec)

    if mode == "multi-view":
        spec = empty(new, r.views)
        frames = 1 + (new - 1) * temporal
        spec["camera"] = torch.stack(
            [_camera_rows(named_camera_poses(view, "static", frames, r.fps), temporal) for view in MULTIVIEW_SETUPS[: r.views]]
        )
        return Plan(**spec)

    if mode == "camera":
        spec = empty(new)
        frames = 1 + (new - 1) * temporal
        if r.camera in CAMERA_NAMES:
            spec["camera"][0] = _camera_rows(named_camera_poses("front", r.camera, frames, r.fps), temporal)
            spec["prompt"] = f"{prompt.rstrip('. ')}. {_path_phrase(r.camera)}"
        else:
            spec["camera"][0] = _camera_rows(keyframe_poses(parse_keyframes(r.camera), frames, r.fps), temporal)
        return Plan(**spec)

    raise RequestError(f"mode {mode!r} has no plan in the native engine", param="mode")
