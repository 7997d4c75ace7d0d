"""What the diffusion transformer is told about each latent frame besides the text, built the same way
for training (from Kinema World's ground truth) and for generation (from a request's camera path,
storyboard or views), so the two can never disagree.

A latent frame j stands for video frames 4j−3 … 4j (j ≥ 1; latent frame 0 is frame 0 alone, see
`models/vae.py`); its camera and shot are those of its last frame, 4j.
"""

from __future__ import annotations

import math

import numpy as np

CAMERA_FEATURES = 8
SCENE_SCALE = 10.0
"""Metres per unit of camera position (Kinema World's cameras stand within about 15 m of the scene)."""
SCENE_CENTRE = (0.0, 0.4, 0.35)


def latent_frame_sources(frames: int, temporal_factor: int = 4) -> np.ndarray:
    """Index of the video frame each latent frame takes its camera and shot from: 0, 4, 8, …"""
    latent = 1 + (frames - 1) // temporal_factor
    return np.minimum(np.arange(latent) * temporal_factor, frames - 1)


def camera_features(poses: np.ndarray, temporal_factor: int = 4) -> np.ndarray:
    """Camera poses per video frame (T, 7: position, target, fov°) → features per latent frame (T', 8).

    Features: position relative to the scene centre (3, in units of 10 m), unit viewing direction (3),
    vertical field of view / 90° (1), and 1 to say a camera was given (0 rows mean "no camera").
    """
    picked = poses[latent_frame_sources(len(poses), temporal_factor)]
    position = (picked[:, :3] - np.array(SCENE_CENTRE)) / SCENE_SCALE
    forward = picked[:, 3:6] - picked[:, :3]
    forward = forward / np.maximum(np.linalg.norm(forward, axis=-1, keepdims=True), 1e-9)
    fov = picked[:, 6:7] / 90.0
    return np.concatenate([position, forward, fov, np.ones_like(fov)], axis=-1).astype(np.float32)


def shot_indices(cut_seconds: list[float], frames: int, fps: float, temporal_factor: int = 4) -> np.ndarray:
    """Shot of each latent frame, given the times where shots start (the first at 0)."""
    times = latent_frame_sources(frames, temporal_factor) / fps
    starts = np.asarray(sorted(cut_seconds) or [0.0])
    return np.maximum(np.searchsorted(starts, times + 1e-9, side="right") - 1, 0).astype(np.int64)


def latent_frames(frames: int, temporal_factor: int = 4) -> int:
    return 1 + (frames - 1) // temporal_factor


def round_frames(frames: int, temporal_factor: int = 4) -> int:
    """Frames rounded up to 1 + k·temporal_factor."""
    return 1 + math.ceil(max(frames - 1, 0) / temporal_factor) * temporal_factor
