"""Kinema World's videos for WorldBench: every camera of a scene rendered, with its ground truth and,
optionally, something changed on purpose (`variants.py` breaks one property at a time this way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kinema.world.camera import scene_poses
from kinema.world.clip import camera_batches, frame_count
from kinema.world.render import FrameBatch, render
from kinema.world.scene import Scene
from kinema.world.simulate import simulate
from kinema.world.truth import GroundTruth, measure


@dataclass
class Rendered:
    videos: list[np.ndarray]  # per camera (T, H, W, 3) uint8
    truth: GroundTruth
    ids: np.ndarray
    """(V, T, H·k, W·k) int16 object index per (sub)pixel, −1 for ground and sky."""
    positions: np.ndarray
    """(T, N, 3) where the objects were drawn (the simulation's, moved if asked)."""


Edit = Callable[[list[FrameBatch], np.ndarray], None]
"""Changes the per-camera frame batches in place before drawing; gets the frame times."""


def render_scene(
    scene: Scene,
    width: int,
    height: int,
    seconds: float,
    fps: float,
    supersample: int = 1,
    move: Callable[[np.ndarray, np.ndarray], None] | None = None,
    edit: Edit | None = None,
    view_scenes: dict[int, Scene] | None = None,
) -> Rendered:
    """Every camera's video of `scene`; `move(positions, times)` may displace objects after the
    physics ran (cameras keep the unmoved trajectory); `edit` changes what is drawn; `view_scenes`
    draws camera v from another description (simulated on its own)."""
    frames = frame_count(seconds, fps)
    trajectory = simulate(scene, frames, fps)
    poses = scene_poses(scene, trajectory.times, trajectory.positions)
    if move is not None:
        trajectory.positions = trajectory.positions.copy()
        move(trajectory.positions, trajectory.times)
    batches = camera_batches(scene, trajectory, poses)
    for v, other in (view_scenes or {}).items():
        other_trajectory = simulate(other, frames, fps)
        batches[v] = camera_batches(other, other_trajectory, poses[v : v + 1])[0]
    if edit is not None:
        edit(batches, trajectory.times)
    joined = FrameBatch.concat(batches)
    images, ids = render(joined, width, height, supersample=supersample, with_ids=True)
    V, T = poses.shape[:2]
    videos = list(images.numpy().reshape(V, T, height, width, 3))
    ids = ids.numpy().reshape(V, T, height * supersample, width * supersample)
    return Rendered(videos, measure(trajectory.positions, poses, ids, width, height, supersample), ids, trajectory.positions)


__all__ = ["Edit", "Rendered", "render_scene"]
