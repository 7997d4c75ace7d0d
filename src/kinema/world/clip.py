"""One Kinema World clip, end to end: simulate a scene, pose its cameras, render, measure ground truth.

    clip = make_clip(scene, width=128, height=128, seconds=4, fps=8)
    clip.frames          # (V, T, H, W, 3) uint8, one video per simultaneous camera
    clip.truth           # GroundTruth (V, T, N, …)

A clip holds both ends of its time span: `seconds` at `fps` gives round(seconds · fps) + 1 frames,
the first at 0 s and the last at `seconds`, so 4 s at 8 fps is 33 frames — 1 + 4k, the frame counts
the video VAE encodes without padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from kinema.world.camera import scene_poses
from kinema.world.render import FrameBatch, render, scene_batch
from kinema.world.scene import Scene
from kinema.world.simulate import Trajectory, simulate
from kinema.world.truth import GroundTruth, measure


def frame_count(seconds: float, fps: float) -> int:
    return int(round(seconds * fps)) + 1


@dataclass
class Clip:
    scene: Scene
    fps: float
    trajectory: Trajectory
    poses: np.ndarray  # (V, T, 7)
    frames: np.ndarray | None  # (V, T, H, W, 3) uint8, None when not rendered
    truth: GroundTruth | None


def camera_batches(scene: Scene, trajectory: Trajectory, poses: np.ndarray) -> list[FrameBatch]:
    rotations = trajectory.rotations()
    return [scene_batch(scene, trajectory.positions, rotations, poses[v]) for v in range(len(poses))]


def make_clip(
    scene: Scene,
    width: int,
    height: int,
    seconds: float,
    fps: float,
    supersample: int = 2,
    render_frames: bool = True,
    device: str | torch.device = "cpu",
) -> Clip:
    trajectory = simulate(scene, frame_count(seconds, fps), fps)
    poses = scene_poses(scene, trajectory.times, trajectory.positions)
    if not render_frames:
        return Clip(scene, fps, trajectory, poses, None, None)
    batches = camera_batches(scene, trajectory, poses)
    joined = FrameBatch.concat(batches)
    joined = FrameBatch(*(getattr(joined, f).to(device) for f in FrameBatch.__dataclass_fields__))
    images, ids = render(joined, width, height, supersample=supersample, with_ids=True)
    V, T = poses.shape[:2]
    frames = images.cpu().numpy().reshape(V, T, height, width, 3)
    ids = ids.cpu().numpy().reshape(V, T, height * supersample, width * supersample)
    truth = measure(trajectory.positions, poses, ids, width, height, supersample)
    return Clip(scene, fps, trajectory, poses, frames, truth)
