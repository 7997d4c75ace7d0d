"""The scorer: a video (or a set of synchronised videos) against its prompt, one verdict per dimension.

`score_prompt(prompt, videos, fps, detector)` reads the video with the detector, tracks the objects,
and judges each dimension the prompt tests (`prompt.dims`); a verdict says passed or not, a partial
score in [0, 1] (the share of the dimension's checks that hold) and, in words, what was seen.
A dimension's score over a run is the share of its prompts that pass (`report.py`).

What the scorer knows is what the prompt asks — its description: the objects, their colours,
shapes, sizes and motions, the relations the prompt states, the camera set-up and path, the cuts —
and the geometry of Kinema World's cameras. It never reads the renderer's ground truth.

The dimensions (PRODUCT.md §4):

- **objects**: every object of the prompt is there in its colour and, where the object is big
  enough in the picture to tell, its shape; and no object of a colour the prompt does not name.
  Judged on the main camera's first shot.
- **count**: the number of objects in a frame is the prompt's in most frames, and no object vanishes
  or appears in the open (at the border or behind another object is allowed).
- **spatial**: each stated relation holds at the start: left of / right of (image columns),
  behind / in front of (how high each object's base is in the picture), on the left / right side.
- **motion**: each object moves as said: still (stays put), spin (stays put, its shading turns),
  roll / slide (its path in the picture points the way the direction projects through the prompt's
  camera), bounce (down and up at least twice, each rebound lower), fall (down, then at rest),
  push (towards the object it is driven into).
- **camera**: the camera path that best explains the background's motion is the prompt's
  (`egomotion.py`).
- **physics**: no object jumps further in one frame than anything in Kinema World can move, nor
  is back in the open after leaving the picture without being seen coming back in; falling
  things speed up; each bounce is lower than the last; a pushed object moves and the pusher does not
  pass through it.
- **multi-view**: the views agree where each object is: its position on the ground, read from each
  view through that camera's geometry, is the same in every view.
- **storyboard**: identities survive cuts: after each cut, the objects seen are objects seen before
  it — no new colour, no more of a colour than before.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from kinema.world import shapes
from kinema.world.camera import basis, poses, project
from kinema.world.scene import DIRECTION_VECTORS, SHAPES, Camera, Scene
from kinema.world.simulate import start_pose
from kinema.worldbench.detector import COLOURS, SHADES, Detection, Detector, FrameReading
from kinema.worldbench.egomotion import Landmark, expected_size, read_camera, start_positions
from kinema.worldbench.suite import Prompt
from kinema.worldbench.track import Track, events, track

MIN_SHAPE_PIXELS = 9.0
"""Objects expected smaller than this (pixels tall) are judged by colour only: no one can tell a
9-pixel cone from a 9-pixel cylinder."""
MAX_PLAUSIBLE_SPEED = 10.0
"""m/s: faster than anything in Kinema World moves (a fall from 2.2 m lands at 6.6 m/s)."""


def silhouette_extent(obj) -> float:
    """Metres: the longer side of the object's box as a camera at eye level sees it (what its box
    side in pixels measures)."""
    a, b, _ = shapes.dims(obj)
    return {"sphere": 2 * a, "cube": 2.6 * a, "cylinder": max(2 * a, 2.1 * b), "cone": max(2 * a, b), "capsule": 2 * (a + b)}[obj.shape]


@dataclass
class Verdict:
    passed: bool
    score: float
    detail: str

    def to_dict(self) -> dict:
        return {"passed": self.passed, "score": round(self.score, 4), "detail": self.detail}


@dataclass
class Segment:
    """A stretch of one camera's video filmed by one camera set-up: a whole video, or one shot."""

    view: int
    start: int
    end: int
    camera: Camera
    tracks: list[Track] = field(default_factory=list)

    def established(self, min_frames: int = 3) -> list[Track]:
        need = min(min_frames, self.end - self.start)
        return [t for t in self.tracks if len(t) >= need]


@dataclass
class Observation:
    """Everything read from a prompt's videos, shared by the dimensions' judges."""

    prompt: Prompt
    videos: list[np.ndarray]  # per camera (T, H, W, 3) uint8
    fps: float
    readings: list[list[FrameReading]]  # per camera, per frame
    segments: list[Segment]
    poses: list[np.ndarray]  # per camera (T, 7): the prompt's cameras (shots for view 0)
    assignment: dict[int, Track | None] = field(default_factory=dict)
    """Object index → its track in the main camera's first shot (None: not found)."""

    @property
    def scene(self) -> Scene:
        return self.prompt.scene

    @property
    def main(self) -> Segment:
        return self.segments[0]

    @property
    def size(self) -> tuple[int, int]:
        T, H, W = self.videos[0].shape[:3]
        return W, H


# --- reading ---------------------------------------------------------------------------------------


def cut_frames(prompt: Prompt, frames: np.ndarray, fps: float) -> list[int]:
    """The first frame of each shot after the first: where the prompt's cuts are, each moved to the
    biggest change between consecutive frames within a quarter second of it (a model's cut may be late)."""
    T = len(frames)
    diffs = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))  # (T - 1,) change into frame k + 1
    out = []
    reach = max(1, int(round(0.25 * fps)))
    for shot in prompt.scene.shots[1:]:
        expected = int(math.ceil(shot.at_second * fps - 1e-9))
        if expected >= T:
            break
        lo, hi = max(1, expected - reach), min(T - 1, expected + reach)
        window = diffs[lo - 1 : hi]
        out.append(lo + int(window.argmax()) if len(window) else expected)
    return out


def prompt_poses(scene: Scene, frames: int, fps: float) -> list[np.ndarray]:
    """(T, 7) poses per camera from the prompt: static set-ups and paths, no object trajectories
    (a close-up aims at its object's starting place)."""
    times = np.arange(frames) / fps
    positions = start_positions(scene, frames)
    if scene.shots:
        out = np.empty((frames, 7))
        for i, shot in enumerate(scene.shots):
            end = scene.shots[i + 1].at_second if i + 1 < len(scene.shots) else math.inf
            mask = (times >= shot.at_second - 1e-9) & (times < end - 1e-9)
            if mask.any():
                out[mask] = poses(shot.camera, times, positions, shot.at_second)[mask]
        return [out]
    return [poses(camera, times, positions) for camera in scene.cameras]


def observe(prompt: Prompt, videos: list[np.ndarray], fps: float, detector: Detector) -> Observation:
    scene = prompt.scene
    T = len(videos[0])
    expected = frozenset(o.color for o in scene.objects)
    readings, segments = [], []
    for v, frames in enumerate(videos):
        camera = scene.cameras[v] if v < len(scene.cameras) else scene.camera
        if v == 0 and scene.shots:
            cuts = cut_frames(prompt, frames, fps)
            bounds = [0, *cuts, len(frames)]
            shot_cameras = [s.camera for s in scene.shots][: len(bounds) - 1]
            frame_readings: list[FrameReading] = []
            for (a, b), cam in zip(zip(bounds[:-1], bounds[1:]), shot_cameras):
                frame_readings += detector.read(frames[a:b], scene.sky, scene.ground, cam.view, expected)
            readings.append(frame_readings)
            for (a, b), cam in zip(zip(bounds[:-1], bounds[1:]), shot_cameras):
                segments.append(Segment(0, a, b, cam, track(frame_readings, a, b)))
        else:
            readings.append(detector.read(frames, scene.sky, scene.ground, camera.view, expected))
            segments.append(Segment(v, 0, len(frames), camera, track(readings[-1])))
    obs = Observation(prompt, videos, fps, readings, segments, prompt_poses(scene, T, fps))
    obs.assignment = assign(obs)
    return obs


def _expected_centres(obs: Observation) -> np.ndarray:
    """(N, 2) where each object should start in the main camera's picture, from the description."""
    W, H = obs.size
    pose = obs.poses[0][0]
    centres = np.array([start_pose(o, i)[0] for i, o in enumerate(obs.scene.objects)])
    u, v, _ = project(centres, pose, W, H)
    return np.stack([u, v], 1)


def shape_checkable(obs: Observation, index: int) -> bool:
    W, H = obs.size
    return expected_size(obs.scene, obs.poses[0][0], index, H) >= MIN_SHAPE_PIXELS


MIN_SHAPE_SHARE = 0.2
"""An object is taken for its prompt's shape unless that shape gets less than this share of the
shape vote: ShapeNet reads 90 % of single crops right, and its errors are between neighbours (a dark
capsule seen end-on is a ball; a cube in shade a cylinder), so only a clear reading of another shape
counts against the object."""


def same_colour(seen: str, asked: str) -> bool:
    """The colour asked for, or one of its shades (`detector.SHADES`): the detector cannot always
    tell a white cube at sunset from a gray one, so neither can the objects dimension. The broken
    videos' wrong colours are never a shade of the right one."""
    return seen == asked or seen in SHADES[asked]


def named(obs: Observation, track: Track) -> bool:
    """The track is of a colour the prompt names (or a shade of one)."""
    return any(same_colour(track.colour, o.color) for o in obs.scene.objects)


def lasting(segment: Segment, track: Track) -> bool:
    """Seen in at least half of the segment's frames: an object, not a passing glint. A colour the
    prompt does not name counts against a video only when it lasts (a wrong-coloured object does)."""
    return len(track) >= 0.5 * (segment.end - segment.start)


def shape_plausible(track: Track, shape: str) -> bool:
    votes = track.shape_votes()
    return votes is None or votes[SHAPES.index(shape)] >= MIN_SHAPE_SHARE


def assign(obs: Observation) -> dict[int, Track | None]:
    """Match the prompt's objects to the main shot's tracks: colour first, then shape, then place."""
    tracks = obs.main.established()
    objects = obs.scene.objects
    if not tracks:
        return {i: None for i in range(len(objects))}
    W, H = obs.size
    expected = _expected_centres(obs)
    cost = np.zeros((len(objects), len(tracks)))
    for i, o in enumerate(objects):
        for j, tr in enumerate(tracks):
            shape, _ = tr.shape()
            first = tr.detections[0]
            cost[i, j] = (
                (0.0 if tr.colour == o.color else 0.5 if same_colour(tr.colour, o.color) else 1.0)
                + (0.5 if shape_checkable(obs, i) and not shape_plausible(tr, o.shape) else 0.0)
                + 0.2 * min(1.0, math.hypot(first.u - expected[i, 0], first.v - expected[i, 1]) / W)
                - 0.05 * min(1.0, len(tr) / (obs.main.end - obs.main.start))  # prefer long tracks
            )
    rows, cols = linear_sum_assignment(cost)
    out: dict[int, Track | None] = {i: None for i in range(len(objects))}
    for i, j in zip(rows, cols):
        out[i] = tracks[j]
    return out


# --- the dimensions ----------------------------------------------------------------------------------


def judge_objects(obs: Observation) -> Verdict:
    problems, good = [], 0
    for i, o in enumerate(obs.scene.objects):
        tr = obs.assignment.get(i)
        if tr is None:
            problems.append(f"no {o.color} {o.shape} found")
            continue
        if not same_colour(tr.colour, o.color):
            problems.append(f"the {o.color} {o.shape} is {tr.colour}")
            continue
        shape, share = tr.shape()
        if shape_checkable(obs, i) and not shape_plausible(tr, o.shape):
            problems.append(f"the {o.color} {o.shape} looks like a {shape} ({share:.0%} of the vote)")
            continue
        good += 1
    foreign = sorted({t.colour for t in obs.main.established() if not named(obs, t) and lasting(obs.main, t)})
    if foreign:
        problems.append(f"unexpected {', '.join(foreign)} object(s)")
    n = len(obs.scene.objects)
    score = good / (n + len(foreign))
    detail = "; ".join(problems) if problems else f"all {n} object(s) found in their colour and shape"
    return Verdict(not problems, score, detail)


def frame_counts(obs: Observation, segment: Segment) -> np.ndarray:
    """Objects seen in each frame of a segment (detections that belong to a track of 2+ frames)."""
    long_enough = {id(d) for t in segment.tracks if len(t) >= 2 and (named(obs, t) or lasting(segment, t)) for d in t.detections}
    return np.array([sum(id(d) in long_enough for d in obs.readings[segment.view][f].detections) for f in range(segment.start, segment.end)])


def judge_count(obs: Observation) -> Verdict:
    n = len(obs.scene.objects)
    counts = frame_counts(obs, obs.main)
    right = float((counts == n).mean()) if len(counts) else 0.0
    typical = int(np.median(counts)) if len(counts) else 0
    found = events(obs.main.tracks, obs.readings[0], obs.main.start, obs.main.end)
    problems = []
    if typical != n:
        problems.append(f"{typical} object(s) in a typical frame, not {n}")
    problems += [e.describe() for e in found]
    score = right * (1.0 if not found else 0.5)
    detail = "; ".join(problems) if problems else f"{n} object(s) in {right:.0%} of frames, none vanishing or appearing"
    return Verdict(not problems, score, detail)


def _opening(track: Track, frames: int) -> list:
    """The track's detections in the first quarter of the shot (at least 3 when it has them)."""
    limit = track.first + max(3, frames // 4)
    return [d for f, d in zip(track.frames, track.detections) if f < limit]


def judge_spatial(obs: Observation) -> Verdict:
    W, H = obs.size
    frames = obs.main.end - obs.main.start
    held, problems = 0, []
    names = [f"{o.color} {o.shape}" for o in obs.scene.objects]
    for relation in obs.prompt.relations:
        kind, i = relation[0], relation[1]
        a = obs.assignment.get(i)
        if a is None:
            problems.append(f"{names[i]} not found")
            continue
        if kind == "side":
            u = np.median([d.u for d in _opening(a, frames)])
            ok = u < W / 2 if relation[2] == "left" else u > W / 2
            if not ok:
                problems.append(f"{names[i]} is not on the {relation[2]}")
            held += ok
            continue
        j = relation[2]
        b = obs.assignment.get(j)
        if b is None:
            problems.append(f"{names[j]} not found")
            continue
        da = {f: d for f, d in zip(a.frames, a.detections)}
        db = {f: d for f, d in zip(b.frames, b.detections)}
        common = sorted(set(da) & set(db))[: max(3, frames // 4)]
        if not common:
            problems.append(f"{names[i]} and {names[j]} are never seen together")
            continue
        if kind == "left_of":
            ok = np.median([db[f].u - da[f].u for f in common]) > 0
            words = "left of"
        else:  # behind: its base is higher in the picture
            ok = np.median([db[f].bottom - da[f].bottom for f in common]) > 0
            words = "behind"
        if not ok:
            problems.append(f"{names[i]} is not {words} {names[j]}")
        held += bool(ok)
    total = len(obs.prompt.relations)
    detail = "; ".join(problems) if problems else f"all {total} stated relation(s) hold"
    return Verdict(not problems, held / max(total, 1), detail)


def _steps(track: Track) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame displacement vectors between consecutive sightings (K - 1, 2), and their frame gaps."""
    c = track.centres()
    gaps = np.diff(np.array(track.frames))
    return np.diff(c, axis=0), gaps


def _is_still(track: Track) -> tuple[bool, str]:
    steps, gaps = _steps(track)
    if len(steps) == 0:
        return True, "seen once"
    size = track.size()
    moving = np.linalg.norm(steps, axis=1) / gaps > 0.12 * size + 0.5
    return bool(moving.mean() <= 0.15), f"moves in {moving.mean():.0%} of frames"


def _shading_change(frames: np.ndarray, f: int, d: Detection, g: int, e: Detection, shift: np.ndarray) -> float | None:
    """Mean luminance change (0–255) between detection d in frame f and e in frame g over the pixels
    both cover once d is moved by `shift` (rows, columns); None when they share under 4 pixels."""
    weights = np.array([0.299, 0.587, 0.114], np.float32)
    here = {tuple(rc): k for k, rc in enumerate(d.pixels + shift)}
    pairs = [(here[tuple(rc)], k) for k, rc in enumerate(e.pixels) if tuple(rc) in here]
    if len(pairs) < 4:
        return None
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    lum_a = frames[f][d.pixels[a, 0], d.pixels[a, 1]].astype(np.float32) @ weights
    lum_b = frames[g][e.pixels[b, 0], e.pixels[b, 1]].astype(np.float32) @ weights
    return float(np.abs(lum_a - lum_b).mean())


def appearance_change(obs: Observation, track: Track, view: int = 0, lag_seconds: float = 0.5) -> float | None:
    """How much the object's shading changes between frames `lag` apart (0–255), over the pixels it
    covers in both once the later sighting is laid on the earlier: a turning body's faces move. The
    largest over the video; None when the object is never seen clearly `lag` frames apart.

    The two sightings are laid on each other by the shift of their centroids rounded to whole pixels,
    and by each shift a pixel either side of it, keeping the closest match: a centroid wanders a
    fraction of a pixel between frames (compression, a shadow's edge), and rounding each centroid on
    its own turns 78.5 → 78.6 into a whole row, which on a small, brightly lit object changes the
    shading as much as a quarter turn (ground truth: 23 for a still capsule). A turning body matches
    no shift."""
    frames = obs.videos[view]
    lag = max(1, int(round(lag_seconds * obs.fps)))
    by_frame = dict(zip(track.frames, track.detections))
    changes = []
    for f, d in by_frame.items():
        e = by_frame.get(f + lag)
        if e is None or not (d.clear and e.clear):
            continue
        centre = np.array([round(e.v - d.v), round(e.u - d.u)])
        tried = [_shading_change(frames, f, d, f + lag, e, centre + np.array([dr, dc])) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
        tried = [c for c in tried if c is not None]
        if tried:
            changes.append(min(tried))
    return float(np.max(changes)) if changes else None


def _image_direction(obs: Observation, index: int, direction: str) -> tuple[np.ndarray, float]:
    """Which way (unit (du, dv)) a move of the object in `direction` goes in the main camera's picture."""
    W, H = obs.size
    pose = obs.poses[0][0]
    start = np.array(start_pose(obs.scene.objects[index], index)[0])
    dx, dy = DIRECTION_VECTORS[direction]
    end = start + 0.5 * np.array([dx, dy, 0.0])
    u0, v0, _ = project(start, pose, W, H)
    u1, v1, _ = project(end, pose, W, H)
    vec = np.array([u1 - u0, v1 - v0])
    return vec / max(np.linalg.norm(vec), 1e-9), float(np.linalg.norm(vec))


def _vertical(track: Track) -> np.ndarray:
    return np.array([d.v for d in track.detections])


def _rebounds(track: Track) -> tuple[list[float], float]:
    """Heights (pixels above the lowest point reached) of the apexes after each ground contact, and
    the starting height."""
    v = _vertical(track)
    size = track.size()
    ground = v.max()
    heights = ground - v
    apexes = []
    # A rebound: after touching down (a local low point in the picture: v near max), the object rises
    # by more than a quarter of its size before coming down again.
    k, n = 0, len(v)
    while k < n - 1:
        # descend to a contact
        while k < n - 1 and v[k + 1] >= v[k]:
            k += 1
        contact = k
        while k < n - 1 and v[k + 1] <= v[k]:
            k += 1
        apex = k
        if apex > contact and heights[apex] - heights[contact] > 0.25 * size:
            apexes.append(float(heights[apex] - heights[contact]))
    return apexes, float(heights[0])


def judge_motion_of(obs: Observation, i: int) -> tuple[bool, str]:
    o = obs.scene.objects[i]
    tr = obs.assignment.get(i)
    name = f"{o.color} {o.shape}"
    pushed = any(p.motion == "push" and p.target == i for p in obs.scene.objects)
    if tr is None:
        return False, f"{name} not found"
    if pushed:
        return True, f"{name} is pushed (judged under physics)"
    if len(tr) < 3:
        return False, f"{name} seen in only {len(tr)} frame(s)"
    if o.motion in ("still", "spin"):
        still, how = _is_still(tr)
        if not still:
            return False, f"{name} should stay in place but {how}"
        if o.shape not in TURNING_SHOWS:
            # A cone or a cylinder turning about its axis shows only a thin band going round: too faint
            # beside the shadows of objects passing by to tell turning from standing.
            return True, f"{name} stays in place" + (" (a turning cone or cylinder is not judged further)" if o.motion == "spin" else "")
        change = appearance_change(obs, tr)
        if change is None and o.motion == "still":
            # Nothing shows it turning: it stays in place, and whenever it is seen half a second apart
            # something stands against it (an object landing in front of it, say).
            return True, f"{name} stays in place (never seen clear of the others long enough to judge turning)"
        if change is None:
            return False, f"{name} is never seen clearly enough to tell whether it turns"
        if o.motion == "spin" and change < SPIN_CHANGE:
            return False, f"{name} stays in place but does not turn (shading change {change:.1f})"
        if o.motion == "still" and change >= SPIN_CHANGE:
            return False, f"{name} stays in place but turns (shading change {change:.1f})"
        return True, f"{name} {'spins' if o.motion == 'spin' else 'stays still'} as asked"
    if o.motion in ("roll", "slide"):
        expected, scale = _image_direction(obs, i, o.direction)
        steps, _ = _steps(tr)
        lengths = np.linalg.norm(steps, axis=1)
        typical = np.median(lengths) if len(lengths) else 0.0
        kept = steps[lengths <= 3 * typical + 1.0]  # a jump is physics' business, not the path's
        net = kept.sum(axis=0) if len(kept) else np.zeros(2)
        length = float(np.linalg.norm(net))
        cos = float(net @ expected / max(length, 1e-9))
        if length < 0.25 * scale:  # friction stops a slide early; away from the camera the path is short
            return False, f"{name} should {o.motion} {o.direction} but barely moves ({length:.1f} px)"
        over_ground = ground_path(obs, tr, i)
        if over_ground is not None:
            # The way it went over the ground, where the prompt's direction is: in the picture a veer
            # of a few degrees sideways turns a long path into the distance by far more.
            cos = float(over_ground @ np.array(DIRECTION_VECTORS[o.direction]) / max(np.linalg.norm(over_ground), 1e-9))
        if cos < 0.6:
            return False, f"{name} should {o.motion} {o.direction} but moves the wrong way (cos {cos:.2f})"
        return True, f"{name} {o.motion}s {o.direction}"
    if o.motion == "push":
        target = obs.assignment.get(o.target)
        if target is None:
            return False, f"{name}: the object it pushes is not found"
        towards = np.array([target.detections[0].u - tr.detections[0].u, target.detections[0].v - tr.detections[0].v])
        steps, _ = _steps(tr)
        net = steps.sum(axis=0) if len(steps) else np.zeros(2)
        cos = float(net @ towards / max(np.linalg.norm(net) * np.linalg.norm(towards), 1e-9))
        if np.linalg.norm(net) < 0.3 * tr.size() or cos < 0.6:
            return False, f"{name} does not move towards the object it should push (cos {cos:.2f})"
        return True, f"{name} moves into the {obs.scene.objects[o.target].color} {obs.scene.objects[o.target].shape}"
    v = _vertical(tr)
    size = tr.size()
    if o.motion == "fall":
        descent = v.max() - v[0]
        low = int(v.argmax())
        tail = tr.centres()[max(low, len(v) * 2 // 3) :]
        # At rest: most of the last third's sightings are where the object lies (the tail's median
        # place). Not every one: a small object's centroid wanders a few pixels while a shadow crosses
        # it (a bouncing ball's, passing over a fallen can), the shadowed part read as ground.
        wander = np.linalg.norm(tail - np.median(tail, axis=0), axis=1) if len(tail) else np.zeros(0)
        resting = len(tail) < 2 or float((wander <= 0.15 * size + 0.6).mean()) >= RESTING_SHARE
        if descent < 0.8 * size:
            return False, f"{name} should fall but descends only {descent:.1f} px"
        if not resting:
            return False, f"{name} falls but does not come to rest"
        return True, f"{name} falls and rests"
    if o.motion == "bounce":
        apexes, start = _rebounds(tr)
        if len(apexes) < 2:
            return False, f"{name} should bounce but rebounds {len(apexes)} time(s)"
        heights = [start, *apexes]
        if any(b > a * 1.02 + 0.5 for a, b in zip(heights, heights[1:])):
            return False, f"{name} bounces but not each time lower ({', '.join(f'{h:.1f}' for h in heights)} px)"
        return True, f"{name} bounces {len(apexes)} times, each lower"
    return False, f"{name}: unknown motion {o.motion}"


RESTING_SHARE = 0.7
"""A fallen object is at rest when at least this share of its last sightings are at its resting place."""
SPIN_CHANGE = 8.0
"""Shading change (0–255) over half a second above which an object in place is turning (measured on
ground truth through H.264 at 128×128, the suite's motion and physics prompts: a still cube or capsule
at most 1.6, a turning one 15–43; Kinema World's spin slows to a stop in about 2 s, so the largest
change is over the first half second)."""
TURNING_SHOWS = ("cube", "capsule")
"""Shapes whose turning about the vertical shows in their outline and faces."""


def judge_motion(obs: Observation) -> Verdict:
    results = [judge_motion_of(obs, i) for i in range(len(obs.scene.objects))]
    good = sum(ok for ok, _ in results)
    problems = [why for ok, why in results if not ok]
    detail = "; ".join(problems) if problems else "; ".join(why for _, why in results)
    return Verdict(not problems, good / len(results), detail)


def landmarks(obs: Observation) -> list[Landmark]:
    """The main shot's objects the prompt keeps in place (still or spinning, pushed by nothing), as
    seen clear of the border and of other objects; frames counted from the shot's start."""
    pushed = {o.target for o in obs.scene.objects if o.motion == "push"}
    out = []
    for i, o in enumerate(obs.scene.objects):
        tr = obs.assignment.get(i)
        if tr is None or o.motion not in ("still", "spin") or i in pushed or not same_colour(tr.colour, o.color):
            continue
        seen = {f - obs.main.start: (d.u, d.v) for f, d in zip(tr.frames, tr.detections) if d.clear}
        if seen:
            out.append(Landmark(np.array(start_pose(o, i)[0]), seen, tr.size()))
    return out


def judge_camera(obs: Observation) -> Verdict:
    camera = obs.scene.camera
    frames = obs.videos[0][obs.main.start : obs.main.end]
    masks = np.stack([r.labels > 0 for r in obs.readings[0][obs.main.start : obs.main.end]])
    reading = read_camera(frames, masks, obs.scene, camera, obs.fps, glide=camera.path == "track", landmarks=landmarks(obs))
    if camera.path == "track":
        target = obs.scene.objects[camera.target]
        ok = reading.glide_direction == target.direction
        expected = f"gliding {target.direction} with the {target.color} {target.shape}"
    else:
        ok = reading.best == camera.path
        expected = camera.path
    detail = f"the background moves as for {reading.best}" + ("" if ok else f", not {expected}") + f" (margin {reading.margin:.2f})"
    return Verdict(ok, 1.0 if ok else 0.0, detail)


def _chains(obs: Observation, names: dict[int, int]) -> list[Track]:
    """The main shot's tracks to check for jumps. The tracker ends a track where its object jumps
    further than it could move and starts another there; where the prompt has one object of a
    colour, that colour's tracks, one after another in time, are that object's path, jump included
    (`names`, track id → object index, learns the chain's object, so its size in metres is known)."""
    tracks = [t for t in obs.main.established() if named(obs, t) or lasting(obs.main, t)]
    colours = [o.color for o in obs.scene.objects]
    out = []
    for colour in dict.fromkeys(t.colour for t in tracks):
        group = sorted((t for t in tracks if t.colour == colour), key=lambda t: t.first)
        apart = all(a.last < b.first for a, b in zip(group, group[1:]))
        if colours.count(colour) == 1 and len(group) > 1 and apart:
            chain = Track([f for t in group for f in t.frames], [d for t in group for d in t.detections])
            index = next((names[id(t)] for t in group if id(t) in names), None)
            if index is not None:
                names[id(chain)] = index
            out.append(chain)
        else:
            out += group
    return out


GROUND_BOUND = ("still", "spin", "roll", "slide", "push")
"""Motions that keep an object on the ground, where its place can be read through the camera."""
CENTROID_NOISE = 1.5
"""Pixels a clear object's centroid may wander between frames (shading, compression)."""


def ground_jump(obs: Observation, tr: Track, index: int | None) -> tuple[int, float] | None:
    """(frame, metres) where an object that keeps to the ground moves further over it in one frame
    than anything in Kinema World can, or None. Its place on the ground is its centroid's ray through
    the prompt's camera met at the object's resting height (as for multi-view): a jump towards or away
    from the camera moves it little in the picture but far over the ground. A step counts only beyond
    what `CENTROID_NOISE` pixels could make of it there (far off, a pixel is many metres). Not read
    for a camera that follows an object, whose poses the prompt does not fix."""
    if index is None or not _fixed_camera(obs):
        return None
    o = obs.scene.objects[index]
    pushed = any(p.motion == "push" and p.target == index for p in obs.scene.objects)
    if o.motion not in GROUND_BOUND and not pushed:
        return None
    W, H = obs.size
    height = shapes.rest_height(o)
    limit = MAX_PLAUSIBLE_SPEED / obs.fps
    places = {}
    for f, d in zip(tr.frames, tr.detections):
        if not d.clear:
            continue
        pose = obs.poses[0][f]
        here, lower = _ground_point(pose, d.u, d.v, W, H, height), _ground_point(pose, d.u, d.v + CENTROID_NOISE, W, H, height)
        if here is not None and lower is not None:
            places[f] = (here[:2], float(np.linalg.norm(here[:2] - lower[:2])))
    for f in sorted(places):
        if f + 1 in places:
            (a, noise_a), (b, noise_b) = places[f], places[f + 1]
            metres = float(np.linalg.norm(b - a))
            if metres - max(noise_a, noise_b) > limit:
                return f + 1, metres
    return None


def _fixed_camera(obs: Observation) -> bool:
    """Whether the main shot's camera poses are the prompt's own (not a camera following an object,
    nor a close-up aimed by its object), so a pixel can be taken back to the ground through them."""
    return obs.main.camera.path != "track" and obs.main.camera.view != "close"


def ground_path(obs: Observation, tr: Track, index: int) -> np.ndarray | None:
    """(dx, dy) metres: how far, and which way, an object that keeps to the ground went over it, read
    from its clear sightings (neither cut by the picture's edge nor touching another object: their
    centroids are the object's) through the prompt's camera at its resting height, as `ground_jump`
    reads places. Steps further than anything in Kinema World moves are left out (a jump is the
    physics dimension's business). None where the camera is not fixed by the prompt or fewer than two
    clear sightings are placed."""
    if not _fixed_camera(obs):
        return None
    W, H = obs.size
    height = shapes.rest_height(obs.scene.objects[index])
    places = []
    for f, d in zip(tr.frames, tr.detections):
        if d.clear:
            point = _ground_point(obs.poses[0][f], d.u, d.v, W, H, height)
            if point is not None:
                places.append((f, point[:2]))
    if len(places) < 2:
        return None
    net = np.zeros(2)
    for (f, a), (g, b) in itertools.pairwise(places):
        if np.linalg.norm(b - a) <= MAX_PLAUSIBLE_SPEED / obs.fps * (g - f):
            net += b - a
    return net


def _whole_height(track: Track, width: int, height: int, backwards: bool) -> np.ndarray:
    """(K,) bool: sightings cut only at the picture's left or right edge that still show the object's
    whole height — at least 0.6 of its width in its nearest clear sighting (before it when
    `backwards`, else after it) is in the picture. Every Kinema World shape is as tall over its middle
    as anywhere (a ball's widest row, a cone's apex), so more than half of it shows all its height."""
    detections = track.detections
    clear = [d.clear for d in detections]
    out = np.zeros(len(detections), bool)
    for k, d in enumerate(detections):
        side_cut = (d.box[0] <= 0 or d.box[2] >= width) and d.box[1] > 0 and d.box[3] < height
        if clear[k] or d.touching or not side_cut:
            continue
        order = range(k - 1, -1, -1) if backwards else range(k + 1, len(detections))
        reference = next((detections[j] for j in order if clear[j]), None)
        out[k] = reference is not None and d.box[2] - d.box[0] >= 0.6 * (reference.box[2] - reference.box[0])
    return out


def judge_physics(obs: Observation) -> Verdict:
    checks: list[tuple[bool, str]] = []
    # 1. continuity: no jump a Kinema World object could not make in a frame. A step in pixels is
    # turned into metres by the object's own size in the picture (its size in metres is the prompt's).
    names = {id(t): i for i, t in obs.assignment.items() if t is not None}
    for tr in _chains(obs, names):
        steps, gaps = _steps(tr)
        if not len(steps):
            continue
        index = names.get(id(tr))
        extent = silhouette_extent(obs.scene.objects[index]) if index is not None else 2 * 0.45
        metres = np.linalg.norm(steps, axis=1) / gaps * extent / max(tr.size(), 1.0)
        single = gaps == 1
        limit = MAX_PLAUSIBLE_SPEED / obs.fps
        # A part of an object coming into the detector's reach has its centroid where that part is.
        entering = _coming_into_reach(tr)
        if (metres[single & ~entering] > limit).any():
            k = int(np.argmax(np.where(single & ~entering, metres, 0)))
            checks.append((False, f"a {tr.colour} object jumps {metres[k]:.1f} m in one frame at frame {tr.frames[k + 1]} (at most {limit:.1f} m is possible)"))
            continue
        # A jump towards or away from the camera moves little in the picture but changes the object's
        # size at once (nothing in Kinema World comes a fifth nearer in one frame).
        # Where one of the two boxes is cut at the picture's side (an object jumping from its edge),
        # their heights are compared instead: most of an object shows all of its height.
        sizes = np.array([d.size for d in tr.detections])
        tall = np.array([d.box[3] - d.box[1] for d in tr.detections])
        clear = np.array([d.clear for d in tr.detections])
        both = clear[1:] & clear[:-1]
        usable = (clear[:-1] | _whole_height(tr, *obs.size, backwards=True)[:-1]) & (clear[1:] | _whole_height(tr, *obs.size, backwards=False)[1:])
        covering = _covers_missing(obs, tr)
        usable &= ~covering[:-1] & ~covering[1:]
        usable &= ~entering
        before, after = np.where(both, sizes[:-1], tall[:-1]), np.where(both, sizes[1:], tall[1:])
        ratio = np.maximum(after, 1.0) / np.maximum(before, 1.0)
        smaller = np.minimum(after, before)
        moved = np.linalg.norm(steps, axis=1) >= 0.3 * smaller
        sudden = single & usable & moved & ((ratio >= SIZE_JUMP) | (ratio <= 1 / SIZE_JUMP)) & (smaller >= 10)
        if sudden.any():
            k = int(np.argmax(sudden))
            checks.append((False, f"a {tr.colour} object jumps in depth at frame {tr.frames[k + 1]} (its size changes {ratio[k]:.2f}× in one frame)"))
            continue
        jump = ground_jump(obs, tr, index)
        if jump is not None:
            frame, metres = jump
            checks.append((False, f"a {tr.colour} object jumps {metres:.1f} m over the ground at frame {frame} (at most {limit:.1f} m is possible)"))
            continue
        back = back_in_the_open(tr)
        if back is not None:
            left, frame = back
            checks.append((False, f"a {tr.colour} object leaves the picture at frame {left} and is back in the open at frame {frame}, never seen coming back in"))
    seen = [i for i, t in obs.assignment.items() if t is not None and same_colour(t.colour, obs.scene.objects[i].color)]
    if not seen:  # none of the prompt's objects is seen: "no jumps" would pass an empty video
        checks.append((False, "none of the prompt's objects is found, so nothing shows it moves continuously"))
    elif not any(not ok for ok, _ in checks):
        checks.append((True, "no object jumps"))
    # 2. falling things accelerate; 3. bounces lose height.
    for i, o in enumerate(obs.scene.objects):
        tr = obs.assignment.get(i)
        name = f"{o.color} {o.shape}"
        if o.motion in ("fall", "bounce"):
            if tr is None or len(tr) < 4:
                checks.append((False, f"{name} is not seen falling"))
                continue
            # The fall is fitted on the frames where the object's centroid is where it is: not where
            # its box is cut by the top or bottom edge, nor where it touches another object (partly
            # hidden, or a shadowed part read as the other) — either moves the centroid up or down by
            # more than the fit can bear over three or four frames. A box cut at the left or right edge
            # still rises and falls with its object (a fall at the side of the picture is seen).
            W, H = obs.size
            clear = [(f, d) for f, d in zip(tr.frames, tr.detections) if d.box[1] > 0 and d.box[3] < H and not d.touching]
            v = np.array([d.v for _, d in clear])
            frames_seen = np.array([f for f, _ in clear])
            if len(v) < 3:
                # Seen (four frames or more), but never clear of the edge and the others long enough
                # to fit: whether it falls at all is the motion dimension's.
                checks.append((True, f"{name} is not seen clearly enough to measure its acceleration"))
                continue
            # The first touch of the ground: the first time it comes near its lowest place in the
            # picture, or before that where it first stops going down (a later bounce may land lower
            # in the picture, nearer the camera). The frames before it are the free fall (the step
            # into it is cut short by the ground).
            stops = 0
            while stops + 1 < len(v) and v[stops + 1] > v[stops] + 0.02 * tr.size():
                stops += 1  # down the picture until it stops or rebounds
            impact = min(stops, int(np.argmax(v >= v.max() - 0.15 * tr.size())))
            falling_v, falling_t = v[:impact], frames_seen[:impact].astype(float)
            if len(falling_v) < 3 or falling_v[-1] - falling_v[0] < 0.5 * tr.size():
                # A drop too short to see over three frames (a small height, or the camera high) shows
                # no acceleration either way; whether it falls at all is the motion dimension's.
                checks.append((True, f"{name}'s fall is too short to measure its acceleration"))
                continue
            curvature = np.polyfit(falling_t, falling_v, 2)[0]  # v ≈ c t² + …: 2c is the acceleration
            gain = 2 * curvature * (falling_t[-1] - falling_t[0])  # speed gained over the fall, px/frame
            mean_speed = (falling_v[-1] - falling_v[0]) / (falling_t[-1] - falling_t[0])
            if gain >= 0.1 * mean_speed:  # from rest a fall gains twice its mean speed; seen over 3–4 frames the fit is rough
                checks.append((True, f"{name} speeds up as it falls"))
            else:
                checks.append((False, f"{name} falls without speeding up (gains {gain:.1f} px/frame at {mean_speed:.1f} px/frame)"))
            if o.motion == "bounce":
                apexes, start = _rebounds(tr)
                heights = [start, *apexes]
                if len(heights) < 2:
                    checks.append((False, f"{name} does not rebound"))
                elif all(b < a for a, b in zip(heights, heights[1:])):
                    checks.append((True, f"{name}'s bounces lose height"))
                else:
                    checks.append((False, f"{name}'s bounces do not lose height ({', '.join(f'{h:.1f}' for h in heights)} px)"))
        if o.motion == "push":
            target_track = obs.assignment.get(o.target)
            target = obs.scene.objects[o.target]
            if tr is None or target_track is None:
                checks.append((False, f"{name} or the {target.color} {target.shape} it pushes is not found"))
                continue
            t_centres = target_track.centres()
            moved = float(np.linalg.norm(t_centres[-1] - t_centres[0]))
            if moved < 0.5 * target_track.size() and not _pushed_out(obs, target_track):
                checks.append((False, f"the {target.color} {target.shape} does not move when {name} is driven into it"))
                continue
            through = passes_through(tr, target_track)
            if through is not None:
                checks.append((False, f"{name} passes through the {target.color} {target.shape} (frame {through})"))
            else:
                checks.append((True, f"{name} shoves the {target.color} {target.shape}"))
    good = sum(ok for ok, _ in checks)
    problems = [why for ok, why in checks if not ok]
    detail = "; ".join(problems) if problems else "; ".join(why for _, why in checks)
    return Verdict(not problems, good / max(len(checks), 1), detail)


def back_in_the_open(track: Track) -> tuple[int, int] | None:
    """(frame it was last seen, frame it is seen again) where an object that left the picture by its
    edge is next seen in the open — clear of the edge and of every other object — or None. Out of the
    picture, it can come back only through an edge, or from behind an object it would be seen
    touching: anywhere else it got there unseen. The tracker joins such sightings across the gap when
    they are a few sizes apart a frame (an object may be hidden for a while), so no one-frame step
    shows the jump (a teleport while out of the picture: motion-057's drum, out by the left edge at
    frame 10 and back 2.4 m to the right in the open at frame 16, measured)."""
    for (f, d), (g, e) in itertools.pairwise(zip(track.frames, track.detections)):
        if g - f > 1 and d.border and e.clear and not e.behind:
            return f, g
    return None


def passes_through(pusher: Track, target: Track) -> int | None:
    """The first frame where the pusher is past its target's middle (along the way from the pusher
    to the target at their first sightings) while the target still stands where it stood; None if
    never. Once the target is shoved away, a pusher that goes on past it went by it (a ball deflected
    in front of the cube it knocked aside: motion-038, measured), not through it."""
    start = target.centres()[0]
    axis = start - pusher.centres()[0]
    axis = axis / max(np.linalg.norm(axis), 1e-9)
    size = target.size()
    at = dict(zip(target.frames, target.centres()))
    for f, here in zip(pusher.frames, pusher.centres()):
        if f in at and np.linalg.norm(at[f] - start) < 0.5 * size and (here - at[f]) @ axis > 0.25 * size:
            return f
    return None


def _coming_into_reach(track: Track) -> np.ndarray:
    """(K - 1,) bool: the steps from the sightings at either end of a track that are its object coming
    into (or going out of) the picture or the detector's reach — while each such sighting is under
    half the area of the next one in, or cut by the picture's edge and smaller than it. A white
    capsule against a bright sky shows as a sliver first (physics-017); a large white cube dropping in
    from above the picture at noon as a strip at the top edge, then its lower third, then whole
    (physics-033, measured). Their centroids and sizes are the part's, not the object's: no jump is
    read from them."""
    areas = np.array([d.area for d in track.detections])
    border = [d.border for d in track.detections]
    out = np.zeros(max(len(areas) - 1, 0), bool)

    def partial(k: int, neighbour: int) -> bool:
        return bool(areas[k] < 0.5 * areas[neighbour] or (border[k] and areas[k] < areas[neighbour]))

    lead = 0
    while lead < len(out) and partial(lead, lead + 1):
        out[lead] = True
        lead += 1
    trail = len(out)
    while trail > 0 and partial(trail, trail - 1):
        out[trail - 1] = True
        trail -= 1
    return out


def _covers_missing(obs: Observation, tr: Track) -> np.ndarray:
    """(K,) bool: sightings whose box holds where another object of the shot is, in a frame that
    object is missing from (seen before and after it): the two were read as one blob (an object
    falling past another in the picture), so the box and the size are the pair's, not the object's."""
    out = np.zeros(len(tr), bool)
    others = [t for t in obs.main.established() if t is not tr]
    for k, (f, d) in enumerate(zip(tr.frames, tr.detections)):
        for t in others:
            if not t.first < f < t.last or f in t.frames:
                continue
            before = max(j for j, g in enumerate(t.frames) if g < f)
            a, b = t.detections[before], t.detections[before + 1]
            w = (f - t.frames[before]) / (t.frames[before + 1] - t.frames[before])
            u, v = (1 - w) * a.u + w * b.u, (1 - w) * a.v + w * b.v
            if d.box[0] <= u <= d.box[2] and d.box[1] <= v <= d.box[3]:
                out[k] = True
                break
    return out


def _pushed_out(obs: Observation, tr: Track) -> bool:
    """Whether the object leaves the picture by its edge before the shot ends, less and less of it
    showing: it was moved (while the edge cuts it, its centroid moves only part of the way it went)."""
    first, last = tr.detections[0], tr.detections[-1]
    return tr.last < obs.main.end - 1 and last.border and last.area < 0.5 * first.area


def _ground_point(pose: np.ndarray, u: float, v: float, width: int, height: int, z: float) -> np.ndarray | None:
    """Where the ray through pixel (u, v) meets the plane at height z (None if it does not)."""
    forward, right, up = basis(pose)
    tan = math.tan(math.radians(pose[6]) / 2)
    x = (2 * u / width - 1) * tan * width / height
    y = (1 - 2 * v / height) * tan
    d = forward + x * right + y * up
    if abs(d[2]) < 1e-9:
        return None
    t = (z - pose[2]) / d[2]
    if t <= 0:
        return None
    return pose[:3] + t * d


SIZE_JUMP = 1.3
"""In one frame an object's size in the picture changes by less than this factor (ground truth: at most
≈ 1.1 with the camera dollying, up to 1.25 for an object under 10 pixels, which is not judged so); a
jump of 2.4 m in depth changes it more."""

MULTIVIEW_TOLERANCE = 0.6
"""Metres: how far apart two views may place one object on the ground and still agree."""


def judge_multiview(obs: Observation) -> Verdict:
    W, H = obs.size
    scene = obs.scene
    views = len(obs.videos)
    if views < 2:
        return Verdict(False, 0.0, "only one view")
    compared, agreeing, problems = 0, 0, []
    pushed = {o.target for o in scene.objects if o.motion == "push"}
    for i, o in enumerate(scene.objects):
        height = shapes.rest_height(o)
        # An object the prompt keeps in place may be seen clear in one view and in the other at
        # different moments (another object passes in front): its places are compared over all of them.
        in_place = o.motion in ("still", "spin") and i not in pushed
        estimates = []  # per view: frame → (x, y)
        for v in range(views):
            seg = next(s for s in obs.segments if s.view == v)
            tracks = [t for t in seg.established() if t.colour == o.color]
            places = {}
            if len(tracks) == 1:  # a colour seen as two objects in a view is no evidence of where one is
                for f, d in zip(tracks[0].frames, tracks[0].detections):
                    if d.border or d.behind:  # a nearer object may hide part of it: its centre is not its own
                        continue
                    point = _ground_point(obs.poses[v][f], d.u, d.v, W, H, height)
                    if point is not None:
                        places[f] = point[:2]
            estimates.append(places)
        seen = [v for v in range(views) if estimates[v]]
        for a_index, a in enumerate(seen):
            for b in seen[a_index + 1 :]:
                if in_place:
                    place_a, place_b = (np.median(np.array(list(estimates[x].values())), axis=0) for x in (a, b))
                    distance = float(np.linalg.norm(place_a - place_b))
                else:
                    common = sorted(set(estimates[a]) & set(estimates[b]))
                    if not common:
                        continue
                    distance = float(np.median([np.linalg.norm(estimates[a][f] - estimates[b][f]) for f in common]))
                compared += 1
                if distance <= MULTIVIEW_TOLERANCE:
                    agreeing += 1
                else:
                    problems.append(
                        f"the {o.color} {o.shape} is {distance:.1f} m apart between the {scene.cameras[a].view} and {scene.cameras[b].view} views"
                    )
    if compared == 0:
        return Verdict(False, 0.0, "no object is seen clearly in two views")
    detail = "; ".join(problems) if problems else f"{compared} view pair(s) agree on every object's place"
    return Verdict(not problems, agreeing / compared, detail)


def colour_counts(obs: Observation, segment: Segment) -> dict[str, int]:
    """Per colour: the most objects of that colour seen at once in the segment (in 2+ frames), each
    object counted in its track's colour."""
    colour_of = {}
    for t in segment.tracks:
        if len(t) >= 2:
            colour = t.colour
            colour_of.update({id(d): colour for d in t.detections})
    per_frame: dict[str, list[int]] = {c: [] for c in COLOURS}
    for f in range(segment.start, segment.end):
        seen = [colour_of[id(d)] for d in obs.readings[segment.view][f].detections if id(d) in colour_of]
        for colour in COLOURS:
            per_frame[colour].append(seen.count(colour))
    out = {}
    for colour, counts in per_frame.items():
        counts = sorted(counts, reverse=True)
        value = counts[1] if len(counts) > 1 else counts[0]  # the second highest: one frame is a flicker
        if value:
            out[colour] = value
    return out


def _with_shades(counts: dict[str, int], colour: str) -> int:
    """How many objects of `colour` or of a colour it can look like in shade or light (`SHADES`)."""
    return counts.get(colour, 0) + sum(counts.get(c, 0) for c in SHADES[colour])


def judge_storyboard(obs: Observation) -> Verdict:
    shots = [s for s in obs.segments if s.view == 0]
    if len(shots) < 2:
        return Verdict(False, 0.0, "no cut found")
    before = colour_counts(obs, shots[0])
    problems, good = [], 0
    for k, shot in enumerate(shots[1:], start=1):
        after = colour_counts(obs, shot)
        # More of a colour than before is a new object only if its shades do not make up for it: a
        # gray cube in another light reads as white, and is then one white more and one gray fewer.
        new = [c for c in after if after[c] > before.get(c, 0) and _with_shades(after, c) > _with_shades(before, c)]
        if not after:
            problems.append(f"nothing is seen after cut {k}")
        elif new:
            problems.append(f"after cut {k}: {', '.join(f'{after[c]} {c}' for c in new)} not seen before")
        else:
            good += 1
        for c, n in after.items():
            before[c] = max(before.get(c, 0), n)
    detail = "; ".join(problems) if problems else f"identities survive all {len(shots) - 1} cut(s)"
    return Verdict(not problems, good / (len(shots) - 1), detail)


JUDGES = {
    "objects": judge_objects,
    "count": judge_count,
    "spatial": judge_spatial,
    "motion": judge_motion,
    "camera": judge_camera,
    "physics": judge_physics,
    "multi-view": judge_multiview,
    "storyboard": judge_storyboard,
}


def score_prompt(prompt: Prompt, videos: list[np.ndarray], fps: float, detector: Detector, dims: tuple[str, ...] | None = None) -> dict[str, Verdict]:
    """One verdict per dimension the prompt tests (and that `dims` asks for).

    videos: one (T, H, W, 3) uint8 array per camera — the main one, then the prompt's extra views.
    """
    wanted = [d for d in prompt.dims if dims is None or d in dims]
    if not wanted:
        return {}
    if prompt.mode == "multi-view" and len(videos) != len(prompt.scene.cameras):
        raise ValueError(f"{prompt.id}: {len(videos)} video(s) for {len(prompt.scene.cameras)} cameras")
    obs = observe(prompt, videos, fps, detector)
    return {dim: JUDGES[dim](obs) for dim in wanted}


__all__ = ["JUDGES", "Observation", "Verdict", "observe", "score_prompt"]
