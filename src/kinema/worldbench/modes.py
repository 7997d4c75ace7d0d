"""WorldBench's mode dimensions (issue 7): what each generation mode promises, measured on its videos.

Three of them are the suite's own dimensions applied to the mode's prompts — multi-view agreement
(`multi-view`), camera-path accuracy (`camera`), storyboard identity across cuts (`storyboard`). The
others need what the mode was given as well as what it made:

- **first-frame fidelity** (image-to-video): the video opens on the image. The first frame is
  compared with it coarsely (both blurred to a 16-pixel grid: a generated frame is softer than a
  photo but has the same things in the same places) and object by object (every object the detector
  reads in the image is in the first frame in its colour, near the same place).
- **seam continuity** (extend, connect): across the frame where the new part starts, the picture
  changes no more than it does between neighbouring frames on either side, and no object jumps.
- **loop seam** (loop): the same, across the wrap from the last frame to the first.
- **60-second stability**: the objects and count dimensions judged on the last ten seconds are as
  right as on the first ten.

Each returns a `score.Verdict`; the thresholds are calibrated on ground truth and deliberately
broken videos (`tests/worldbench/test_modes.py`).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from kinema.worldbench.detector import Detector
from kinema.worldbench.score import Verdict, same_colour, score_prompt
from kinema.worldbench.suite import Prompt

GRID = 16
FIRST_FRAME_TOLERANCE = 12.0
"""Mean absolute difference (0–255) of the 16-pixel-grid pictures within which the first frame is the
image (an H.264 round trip of the truth differs by ≈ 1; another moment of the same clip by 5–40)."""
PLACE_TOLERANCE = 0.08
"""An object is at the same place if its centre moved less than this share of the frame's width."""
SEAM_RATIO = 3.0
"""A seam's change may be at most this many times the typical change between neighbouring frames."""
SEAM_FLOOR = 0.5
"""…or this many levels (0–255) of mean change, whichever is larger: a still scene changes by ≈ 0
(a small ball rolling across a 64×64 frame changes it by 0.3–1 a frame)."""


def _coarse(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 → (16, 16, 3) float: block means (what is where, not how sharp)."""
    zoom = (GRID / frame.shape[0], GRID / frame.shape[1], 1)
    return ndimage.zoom(ndimage.uniform_filter(frame.astype(np.float32), size=(3, 3, 1)), zoom, order=1)


def _objects(detector: Detector, frames: np.ndarray, prompt: Prompt) -> list[list]:
    expected = frozenset(o.color for o in prompt.scene.objects)
    return [[(d.colour, d.u, d.v) for d in reading.detections] for reading in detector.read(frames, prompt.scene.sky, prompt.scene.ground, prompt.scene.camera.view, expected)]


def _unmatched(a: list[tuple], b: list[tuple], width: int) -> list[str]:
    """Objects of `a` with no object of `b` of their colour near their place."""
    out = []
    for colour, u, v in a:
        if not any(same_colour(c, colour) and np.hypot(u - x, v - y) <= PLACE_TOLERANCE * width for c, x, y in b):
            out.append(f"{colour} at ({u:.0f}, {v:.0f})")
    return out


def first_frame_fidelity(image: np.ndarray, video: np.ndarray, prompt: Prompt, detector: Detector) -> Verdict:
    """image (H, W, 3) uint8, the image-to-video input; video (T, H, W, 3) uint8."""
    if image.shape != video[0].shape:
        return Verdict(False, 0.0, f"the first frame is {video[0].shape[1]}x{video[0].shape[0]}, the image {image.shape[1]}x{image.shape[0]}")
    difference = float(np.abs(_coarse(image) - _coarse(video[0])).mean())
    seen = _objects(detector, np.stack([image, video[0]]), prompt)
    missing = _unmatched(seen[0], seen[1], image.shape[1])
    problems = []
    if difference > FIRST_FRAME_TOLERANCE:
        problems.append(f"the first frame differs from the image by {difference:.1f} levels (at most {FIRST_FRAME_TOLERANCE:g})")
    if missing:
        problems.append(f"not in the first frame: {', '.join(missing)}")
    kept = 1 - len(missing) / max(len(seen[0]), 1)
    score = 0.5 * max(0.0, 1 - difference / (2 * FIRST_FRAME_TOLERANCE)) + 0.5 * kept
    detail = "; ".join(problems) if problems else f"the first frame is the image ({difference:.1f} levels apart, {len(seen[0])} object(s) in place)"
    return Verdict(not problems, score, detail)


def _frame_change(frames: np.ndarray) -> np.ndarray:
    """(T - 1,) mean absolute change between neighbouring frames."""
    return np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))


def seam_continuity(video: np.ndarray, seam: int, prompt: Prompt, detector: Detector, context: int = 4) -> Verdict:
    """video (T, H, W, 3) uint8 whose frame `seam` is the first of the new part (an extension's first
    frame, a connection's first or last); compares the change into `seam` with the changes within
    `context` frames on either side."""
    if not 1 <= seam < len(video):
        raise ValueError(f"seam {seam} must be inside the video's {len(video)} frames")
    lo, hi = max(0, seam - context), min(len(video), seam + context)
    changes = _frame_change(video[lo:hi])
    at_seam = float(changes[seam - 1 - lo])
    others = np.delete(changes, seam - 1 - lo)
    typical = float(np.median(others)) if len(others) else 0.0
    limit = max(SEAM_RATIO * typical, SEAM_FLOOR)
    seen = _objects(detector, video[seam - 1 : seam + 1], prompt)
    width = video.shape[2]
    jumped = _unmatched(seen[0], seen[1], width) + _unmatched(seen[1], seen[0], width)
    problems = []
    if at_seam > limit:
        problems.append(f"the picture changes by {at_seam:.1f} levels at the seam, {typical:.1f} between other frames")
    if jumped:
        problems.append(f"objects jump or vanish at the seam: {', '.join(jumped)}")
    score = 0.5 * min(1.0, limit / max(at_seam, 1e-6)) + 0.5 * (1 - len(jumped) / max(len(seen[0]) + len(seen[1]), 1))
    detail = "; ".join(problems) if problems else f"seamless ({at_seam:.1f} levels at the seam, {typical:.1f} elsewhere)"
    return Verdict(not problems, score, detail)


def loop_seam(video: np.ndarray, prompt: Prompt, detector: Detector, context: int = 4) -> Verdict:
    """The wrap of a loop: the last frames followed by the first ones, judged as a seam."""
    k = min(context, len(video) // 2)
    return seam_continuity(np.concatenate([video[-k:], video[:k]]), k, prompt, detector, context)


def stability(video: np.ndarray, fps: float, prompt: Prompt, detector: Detector, window_seconds: float = 10.0) -> Verdict:
    """The prompt's objects and count judged on the first and on the last `window_seconds`: the end
    must be as right as the start (a dimension passing at the start passes at the end)."""
    window = int(round(window_seconds * fps))
    if len(video) < 2 * window:
        raise ValueError(f"a {len(video) / fps:.0f}-second video has no two {window_seconds:g}-second windows")
    dims = ("objects", "count")
    start = score_prompt(prompt, [video[:window]], fps, detector, dims)
    end = score_prompt(prompt, [video[-window:]], fps, detector, dims)
    worse = [d for d in dims if d in start and start[d].passed and not end[d].passed]
    first = sum(v.score for v in start.values()) / len(start)
    last = sum(v.score for v in end.values()) / len(end)
    if not any(v.passed for v in start.values()):
        # Nothing is right at the start, so nothing can be kept right: "as right as the start" would
        # pass a video that never shows the prompt at all.
        return Verdict(False, 0.0, f"neither objects nor count holds in the first {window_seconds:g} s ({first:.2f}), so stability cannot be seen")
    if worse:
        detail = "; ".join(f"{d} holds at the start but not at the end ({end[d].detail})" for d in worse)
    else:
        detail = f"the end is as right as the start (objects and count: {first:.2f} at the start, {last:.2f} at the end)"
    return Verdict(not worse, max(0.0, 1 - max(0.0, first - last)), detail)



# --- asking a model ------------------------------------------------------------------------------------

MODE_DIMS = {"first-frame": "image-to-video", "extension-seam": "extend", "loop-seam": "loop", "stability": "text-to-video"}
"""Mode dimension → the engine mode it asks for."""


def run_modes(engine, prompts: list[Prompt], settings, out, dims=tuple(MODE_DIMS), progress=None) -> dict:
    """Ask `engine` for each mode dimension on `prompts` (those whose objects roll or slide, so a
    seam shows) and judge it: image-to-video from the truth's first frame, a forward extension of the
    truth's first half, a loop, and (for stability) a 60-second video. Writes OUT/modes/ and returns
    {dimension: {"score", "passed", "scored", "not_applicable", "verdicts": {prompt id: verdict}}}."""
    from pathlib import Path

    from PIL import Image

    from kinema.engines.base import RequestError, VideoRequest
    from kinema.video import read_video, write_video
    from kinema.worldbench.rendering import render_scene

    folder = Path(out) / "modes"
    folder.mkdir(parents=True, exist_ok=True)
    supported = engine.capabilities().modes
    detector = Detector()
    size = f"{settings.width}x{settings.height}"
    rows = {d: {"verdicts": {}, "not_applicable": 0, "reason": ""} for d in dims}
    moving = [p for p in prompts if p.mode == "text-to-video" and any(o.motion in ("roll", "slide") for o in p.scene.objects)]
    for k, prompt in enumerate(moving):
        truth = render_scene(prompt.scene, settings.width, settings.height, settings.seconds, settings.fps).videos[0]
        common = dict(prompt=prompt.prompt, fps=settings.fps, size=size, seed=settings.seed + k, steps=settings.steps)
        for dim in dims:
            mode = MODE_DIMS[dim]
            if mode not in supported:
                rows[dim]["not_applicable"] += 1
                rows[dim]["reason"] = f"{engine.name} does not support {mode} (it supports {', '.join(supported)})"
                continue
            path = folder / f"{prompt.id}-{dim}.mp4"
            try:
                if dim == "first-frame":
                    image = folder / f"{prompt.id}-first.png"
                    Image.fromarray(truth[0]).save(image)
                    engine.generate(VideoRequest(mode=mode, input_reference=image, seconds=settings.seconds, **common), path)
                    verdict = first_frame_fidelity(truth[0], read_video(path)[0], prompt, detector)
                elif dim == "extension-seam":
                    source = folder / f"{prompt.id}-source.mp4"
                    write_video(source, truth[: len(truth) // 2], settings.fps)
                    head = len(read_video(source)[0])
                    engine.generate(VideoRequest(mode=mode, source_video=source, direction="forward", seconds=settings.seconds / 2, **common), path)
                    video = read_video(path)[0]
                    if len(video) <= head:
                        raise RequestError(f"the extension has {len(video)} frames, no more than its {head}-frame source")
                    verdict = seam_continuity(video, head, prompt, detector)
                elif dim == "loop-seam":
                    engine.generate(VideoRequest(mode=mode, seconds=settings.seconds, **common), path)
                    verdict = loop_seam(read_video(path)[0], prompt, detector)
                else:
                    engine.generate(VideoRequest(mode=mode, seconds=60.0, **common), path)
                    frames, fps = read_video(path)
                    verdict = stability(frames, float(fps), prompt, detector)
            except RequestError as error:
                verdict = Verdict(False, 0.0, f"generation failed: {error}")
            rows[dim]["verdicts"][prompt.id] = verdict.to_dict()
            if progress:
                progress(f"{prompt.id} {dim}: {'ok' if verdict.passed else 'FAIL'}")
    for row in rows.values():
        verdicts = list(row["verdicts"].values())
        row["scored"] = len(verdicts)
        row["passed"] = sum(v["passed"] for v in verdicts)
        row["score"] = round(row["passed"] / len(verdicts), 4) if verdicts else None
    return rows


__all__ = ["MODE_DIMS", "first_frame_fidelity", "loop_seam", "run_modes", "seam_continuity", "stability"]
