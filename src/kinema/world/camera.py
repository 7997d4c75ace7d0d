"""Cameras: where each camera of a scene stands and looks at every frame, and the pinhole projection.

A camera pose is 7 numbers: position (3), the point it looks at (3), vertical field of view in
degrees. Up is always +z. `poses(...)` turns a scene's `Camera` (a set-up and a path) into one pose
per frame; the renderer casts rays from these poses and `project` maps world points to pixels with
exactly the same model, so ground truth and pixels agree (`tests/world/test_camera.py` checks it).

Pixel coordinates are continuous: pixel (row i, column j) covers [j, j+1) × [i, i+1), so its centre
is (j + 0.5, i + 0.5); u grows to the right, v downwards.

Paths are rates, not totals, so a 4-second clip and a 60-second video move the camera at the same
speed; pans stop at ±40° so the camera never ends up looking away from the scene, dolly and crane
stop at sensible distances and heights, orbits go round for as long as the video lasts.
"""

from __future__ import annotations

import math

import numpy as np

from kinema.world.scene import Camera, Scene

SCENE_CENTRE = np.array([0.0, 0.4, 0.35])
"""Where the set-ups aim: the middle of the arena, a little above the ground."""

# view: (azimuth of the camera around the target in degrees, elevation in degrees, distance in m, fov)
# The front camera stands on the −y side (azimuth −90°) and so looks along +y.
SETUPS: dict[str, tuple[float, float, float, float]] = {
    "front": (-90.0, 18.0, 7.0, 45.0),
    "left": (180.0, 18.0, 7.0, 45.0),
    "right": (0.0, 18.0, 7.0, 45.0),
    "back": (90.0, 18.0, 7.0, 45.0),
    "top": (-90.0, 60.0, 7.5, 45.0),
    "wide": (-90.0, 22.0, 10.5, 50.0),
    "close": (-90.0, 12.0, 3.2, 40.0),
}

PAN_RATE, PAN_LIMIT = 9.0, 40.0  # degrees per second, degrees
ORBIT_RATE = 15.0  # degrees per second around the target
DOLLY_RATE, DOLLY_MIN, DOLLY_MAX = 0.9, 2.5, 16.0  # metres per second, metres
CRANE_RATE, CRANE_MIN, CRANE_MAX = 0.5, 0.4, 9.0  # metres per second, metres above the ground


def _orbit_position(target: np.ndarray, azimuth: float, elevation: float, distance: float) -> np.ndarray:
    az, el = math.radians(azimuth), math.radians(elevation)
    return target + distance * np.array([math.cos(az) * math.cos(el), math.sin(az) * math.cos(el), math.sin(el)])


def poses(
    camera: Camera,
    times: np.ndarray,
    positions: np.ndarray,
    start: float = 0.0,
) -> np.ndarray:
    """One pose per frame for `camera`, whose shot begins at `start` seconds.

    times: (T,) seconds; positions: (T, N, 3) object centres (for tracking and close-ups).
    Returns (T, 7): position, target, fov in degrees.
    """
    azimuth, elevation, distance, fov = SETUPS[camera.view]
    subject = camera.target if camera.target is not None else 0
    first = int(np.searchsorted(times, start - 1e-9))  # the frame the shot starts at
    first = min(first, len(times) - 1)
    if camera.view == "close" or camera.path == "track":
        focus = positions[first, subject].copy()
        focus[2] = max(focus[2], 0.3)
        target0 = focus
    else:
        target0 = SCENE_CENTRE.copy()
    position0 = _orbit_position(target0, azimuth, elevation, distance)

    out = np.empty((len(times), 7))
    for k, time in enumerate(times):
        s = max(0.0, float(time) - start)  # seconds into the shot
        position, target = position0.copy(), target0.copy()
        path = camera.path
        if path in ("pan-left", "pan-right"):
            # Turn the camera in place: turning left (counter-clockwise seen from above) moves the
            # scene to the right in the frame.
            angle = math.radians(min(PAN_LIMIT, PAN_RATE * s)) * (1 if path == "pan-left" else -1)
            look = target0 - position0
            c, si = math.cos(angle), math.sin(angle)
            target = position0 + np.array([c * look[0] - si * look[1], si * look[0] + c * look[1], look[2]])
        elif path in ("orbit-left", "orbit-right"):
            # Move round the target towards the camera's own left (azimuth decreasing) or right.
            sign = -1 if path == "orbit-left" else 1
            position = _orbit_position(target0, azimuth + sign * ORBIT_RATE * s, elevation, distance)
        elif path in ("dolly-in", "dolly-out"):
            d = distance - DOLLY_RATE * s if path == "dolly-in" else distance + DOLLY_RATE * s
            position = _orbit_position(target0, azimuth, elevation, float(np.clip(d, DOLLY_MIN, DOLLY_MAX)))
        elif path in ("crane-up", "crane-down"):
            dz = CRANE_RATE * s if path == "crane-up" else -CRANE_RATE * s
            position[2] = float(np.clip(position0[2] + dz, CRANE_MIN, CRANE_MAX))
        elif path == "track":
            # Follow the subject across the ground, keeping the camera's offset from it.
            focus = positions[k, subject]
            shift = np.array([focus[0] - target0[0], focus[1] - target0[1], 0.0])
            position, target = position0 + shift, target0 + shift
        out[k, :3], out[k, 3:6], out[k, 6] = position, target, fov
    return out


def scene_poses(scene: Scene, times: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """(V, T, 7): one pose per frame for every simultaneous camera; with shots, view 0 cuts between them."""
    if scene.shots:
        out = np.empty((1, len(times), 7))
        for i, shot in enumerate(scene.shots):
            end = scene.shots[i + 1].at_second if i + 1 < len(scene.shots) else math.inf
            frames = (times >= shot.at_second - 1e-9) & (times < end - 1e-9)
            if frames.any():
                out[0, frames] = poses(shot.camera, times, positions, shot.at_second)[frames]
        return out
    return np.stack([poses(camera, times, positions) for camera in scene.cameras])


def basis(pose: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit (forward, right, up) vectors of poses (..., 7), each (..., 3)."""
    forward = pose[..., 3:6] - pose[..., :3]
    forward = forward / np.linalg.norm(forward, axis=-1, keepdims=True)
    right = np.cross(forward, np.array([0.0, 0.0, 1.0]))
    right = right / np.linalg.norm(right, axis=-1, keepdims=True)
    up = np.cross(right, forward)
    return forward, right, up


def project(points: np.ndarray, pose: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World points (..., 3) seen by `pose` (7,) → (u, v, depth), each (...).

    u, v are continuous pixel coordinates; depth is the distance along the viewing direction (≤ 0
    behind the camera, where u and v mean nothing).
    """
    forward, right, up = basis(pose)
    rel = points - pose[:3]
    depth = rel @ forward
    tan = math.tan(math.radians(pose[6]) / 2)
    safe = np.where(np.abs(depth) < 1e-9, 1e-9, depth)
    x = (rel @ right) / (safe * tan * width / height)  # −1 at the left edge, +1 at the right
    y = (rel @ up) / (safe * tan)  # +1 at the top edge
    return (x + 1) / 2 * width, (1 - y) / 2 * height, depth
