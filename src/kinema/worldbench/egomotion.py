"""How the camera moved: each candidate camera path tested against the video's background.

Kinema World's background is a plane (the ground) under a sky at infinity, so for any two camera
poses every background pixel of one frame has one known place in the other: a ground pixel's ray
meets the plane z = 0 at a point that projects into the other frame, a sky pixel's direction does.
For each candidate path — static, pan, orbit, dolly, crane, both ways, from the prompt's camera
set-up (`kinema.world.camera.poses`, the renderer's own geometry) — the scorer warps frame t by that
path's correspondence onto frame t + lag and measures how different the two are over the
background (object pixels of either frame left out, since objects may move on their own). The
candidate whose warp explains the frames best is how the camera moved. Kinema World fogs the ground
by its distance from the camera (`kinema.world.render.FOG_START`), so ground a moving camera comes
nearer to shows more of its own colour and less of the horizon's: each candidate's warp takes that
out, with the prompt's sky's horizon colour, or a still camera would explain far ground best.

Where the background shows too little to tell (dark asphalt at sunset under a plain sky: every
candidate warps it equally well), the objects the prompt says stand still are landmarks: they move in
the picture exactly as the camera's path makes them, so each candidate's residual is weighed by how
far from its prediction they move (`Landmark`).

A tracking shot follows its object wherever the object goes, so it is tested as a family of
candidates: the camera gliding over the ground in each of the four directions at a few speeds, each
either kept (as a ball rolls) or slowing to a stop (as friction stops a sliding block).

Nothing here reads ground truth; the candidates come from the prompt's camera set-up alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

from kinema.world import shapes
from kinema.world.camera import poses, project
from kinema.world.render import FOG_DEPTH, FOG_START, LIGHTS, camera_rays
from kinema.world.scene import DIRECTION_VECTORS, Camera, Scene
from kinema.world.simulate import start_pose

NAMED = ("static", "pan-left", "pan-right", "orbit-left", "orbit-right", "dolly-in", "dolly-out", "crane-up", "crane-down")
GLIDE_SPEEDS = (0.6, 1.0, 1.5, 2.0)
"""Metres per second at the start of the tracking candidates (a ball rolls at about 1, a sliding block starts near 2)."""
GLIDE_SLOWING = (0.0, 0.7)
"""Metres per second per second the tracking candidates slow by until they stop: a rolling ball
hardly slows, friction stops a sliding block within about three seconds."""
LAG_SECONDS = 1.0
MAX_GROUND_DISTANCE = 60.0
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass
class Landmark:
    """An object the prompt says stays in place, as the detector saw it: its centre in the world (the
    prompt's), and per frame (of the frames given to `read_camera`) its centre in the picture."""

    centre: np.ndarray  # (3,)
    seen: dict[int, tuple[float, float]]
    size: float
    """Its typical size in the picture, pixels: how far its centroid may stray from its centre's projection."""


LANDMARK_TOLERANCE = 0.1
"""A landmark's centroid may stray from where its centre projects by this share of its size, at
least half a pixel (its visible part changes as the camera goes round it)."""


@dataclass
class CameraReading:
    best: str
    """The candidate that explains the background best: a path name, or "glide-DIRECTION-SPEED"
    ("glide-DIRECTION-SPEED-slowing" for one that slows to a stop)."""
    residuals: dict[str, float]
    """Mean absolute difference (0–255 luminance) left after each candidate's warp, times
    1 + the landmarks' error (in tolerances) where there are landmarks."""

    @property
    def margin(self) -> float:
        """How much worse the runner-up is than the best, as a fraction of the best's residual."""
        values = sorted(self.residuals.values())
        return (values[1] - values[0]) / max(values[0], 1e-6) if len(values) > 1 else 0.0

    @property
    def glide_direction(self) -> str | None:
        return self.best.split("-")[1] if self.best.startswith("glide-") else None


def start_positions(scene: Scene, frames: int) -> np.ndarray:
    """(T, N, 3) every object held at its starting pose: what a close-up aims at when its shot starts."""
    start = np.array([start_pose(o, i)[0] for i, o in enumerate(scene.objects)])
    return np.broadcast_to(start, (frames, *start.shape)).copy()


def candidate_poses(camera: Camera, scene: Scene, times: np.ndarray, glide: bool) -> dict[str, np.ndarray]:
    """name → (T, 7) poses of every candidate path from `camera`'s set-up."""
    positions = start_positions(scene, len(times))
    target = camera.target
    out = {name: poses(Camera(camera.view, name, target), times, positions) for name in NAMED}
    if glide:
        base = out["static"]
        for direction, (dx, dy) in DIRECTION_VECTORS.items():
            for speed in GLIDE_SPEEDS:
                for slowing in GLIDE_SLOWING:
                    moving = np.minimum(times, speed / slowing) if slowing else times
                    travelled = speed * moving - slowing * moving**2 / 2
                    shift = np.zeros((len(times), 7))
                    shift[:, 0] = shift[:, 3] = dx * travelled
                    shift[:, 1] = shift[:, 4] = dy * travelled
                    out[f"glide-{direction}-{speed:g}" + ("-slowing" if slowing else "")] = base + shift
    return out


def correspondence(pose_from: np.ndarray, pose_to: np.ndarray, width: int, height: int) -> tuple[np.ndarray, ...]:
    """For every pixel of the frame seen from `pose_to`: where the same background point is in the
    frame seen from `pose_from` (u, v, each (H, W)), whether it is there at all (valid, (H, W)) and
    how much more of its own colour shows through the fog from `pose_to` than from `pose_from`
    (clearer, (H, W): 1 for the sky and for ground nearer than the fog from both)."""
    origin, directions = camera_rays(torch.tensor(pose_to[None], dtype=torch.float32), width, height)
    o, d = origin[0].double().numpy(), directions[0].double().numpy()  # (3,), (H·W, 3)
    ground = d[:, 2] < -1e-6
    t = np.where(ground, -o[2] / np.where(ground, d[:, 2], -1.0), 0.0)
    point = np.where(ground[:, None], o + t[:, None] * d, o + 1e6 * d)  # sky: a point at "infinity"
    u, v, depth = project(point, pose_from, width, height)
    valid = (depth > 0) & (u >= 0) & (u < width) & (v >= 0) & (v < height) & (~ground | (t < MAX_GROUND_DISTANCE))
    # The sky has no fog to see through (t = 0 from both); ground beyond MAX_GROUND_DISTANCE is left out.
    seen_from = np.where(ground, np.linalg.norm(point - pose_from[:3], axis=1), 0.0)
    clearer = see_through(np.minimum(t, MAX_GROUND_DISTANCE)) / see_through(np.minimum(seen_from, MAX_GROUND_DISTANCE))
    return u.reshape(height, width), v.reshape(height, width), valid.reshape(height, width), clearer.reshape(height, width)


def see_through(distance: np.ndarray) -> np.ndarray:
    """How much of a surface's own colour Kinema World's fog lets through at `distance` metres."""
    return np.exp(-np.clip(distance - FOG_START, 0.0, None) / FOG_DEPTH)


def luminance(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) uint8 → (T, H, W) float32, slightly smoothed so that sub-pixel warps compare fairly."""
    lum = frames.astype(np.float32) @ LUMA
    return ndimage.gaussian_filter(lum, sigma=(0, 0.7, 0.7))


def read_camera(
    frames: np.ndarray,
    object_masks: np.ndarray,
    scene: Scene,
    camera: Camera,
    fps: float,
    glide: bool = False,
    landmarks: list[Landmark] = (),
) -> CameraReading:
    """Which candidate path best explains `frames` (T, H, W, 3) uint8 filmed by `camera`'s set-up.

    object_masks: (T, H, W) bool, the detector's object pixels (left out of the comparison).
    landmarks: still objects; each candidate's residual is multiplied by 1 + their median error.
    """
    T, H, W = frames.shape[:3]
    times = np.arange(T) / fps
    candidates = candidate_poses(camera, scene, times, glide)
    lum = luminance(frames)
    horizon = float(np.dot(LIGHTS[scene.sky].horizon, LUMA)) * 255
    blocked = ndimage.binary_dilation(object_masks, structure=np.ones((1, 3, 3), bool), iterations=1)
    lag = max(1, min(T - 1, int(round(LAG_SECONDS * fps))))
    step = max(1, lag // 2)
    pairs = [(a, a + lag) for a in range(0, T - lag, step)]
    totals = {name: 0.0 for name in candidates}
    for a, b in pairs:
        maps = {name: correspondence(p[a], p[b], W, H) for name, p in candidates.items()}
        valid = np.logical_and.reduce([m[2] for m in maps.values()]) & ~blocked[b]
        if valid.sum() < 0.05 * H * W:
            continue
        for name, (u, v, _, clearer) in maps.items():
            # Pixel centres sit at +0.5 in continuous coordinates; map_coordinates indexes centres at integers.
            warped = ndimage.map_coordinates(lum[a], [v - 0.5, u - 0.5], order=1, mode="nearest")
            # Ground the camera came nearer to shows more of its own colour through the fog, less
            # of the horizon's: a still camera's frames differ by no fog, a moving one's do.
            warped = horizon + (warped - horizon) * clearer
            source_objects = ndimage.map_coordinates(blocked[a].astype(np.float32), [v - 0.5, u - 0.5], order=0, mode="nearest") > 0
            use = valid & ~source_objects
            if use.sum() == 0:
                continue
            totals[name] += float(np.abs(warped - lum[b])[use].mean())
    count = max(1, len(pairs))
    residuals = {name: total / count for name, total in totals.items()}
    if landmarks and not glide:  # a glide's speed is a guess: its landmarks would be off by the error
        for name, p in candidates.items():
            error = landmark_error(landmarks, p, pairs, W, H)
            if error is not None:
                residuals[name] *= 1.0 + error
    best = min(residuals, key=residuals.get)
    return CameraReading(best, residuals)


def landmark_error(landmarks: list[Landmark], candidate: np.ndarray, pairs: list[tuple[int, int]], width: int, height: int) -> float | None:
    """How far the landmarks move from where the candidate's poses (T, 7) put them between the frames
    of each pair, in tolerances (`LANDMARK_TOLERANCE` of the landmark's size): the median over
    landmarks of each one's median over pairs. None when no landmark is seen at both ends of a pair."""
    errors = []
    for mark in landmarks:
        tolerance = max(0.5, LANDMARK_TOLERANCE * mark.size)
        own = []
        for a, b in pairs:
            if a in mark.seen and b in mark.seen:
                ua, va, da = project(mark.centre, candidate[a], width, height)
                ub, vb, db = project(mark.centre, candidate[b], width, height)
                if da > 0 and db > 0:
                    seen = np.subtract(mark.seen[b], mark.seen[a])
                    own.append(float(np.hypot(seen[0] - (ub - ua), seen[1] - (vb - va))) / tolerance)
        if own:
            errors.append(float(np.median(own)))
    return float(np.median(errors)) if errors else None


def expected_size(scene: Scene, camera_pose: np.ndarray, index: int, height: int) -> float:
    """How many pixels tall object `index` should look at its start, from the prompt's description."""
    obj = scene.objects[index]
    centre = np.array(start_pose(obj, index)[0])
    radius = shapes.bounding_radius(obj.shape, shapes.dims(obj))
    _, _, depth = project(centre, camera_pose, height, height)
    if depth <= 0:
        return 0.0
    focal = height / (2 * np.tan(np.radians(camera_pose[6]) / 2))
    return float(2 * radius * focal / depth)


__all__ = ["NAMED", "CameraReading", "Landmark", "candidate_poses", "correspondence", "expected_size", "landmark_error", "read_camera", "start_positions"]
