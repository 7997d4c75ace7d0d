"""Ground truth per camera and frame: where each object is in the picture, and whether it shows.

From the simulation (3D centres), the camera poses and the renderer's object-id buffer:

- `center`: the projection of the object's centre of mass, in continuous pixel coordinates (u, v);
- `depth`: its distance along the camera's viewing direction, metres;
- `box`: the tight box (u0, v0, u1, v1) round the object's visible pixels, null when hidden;
- `pixels`: how many output pixels of it are visible (fractional, from the supersampled buffer);
- `visible`: at least one pixel shows;
- the camera pose (position, target, vertical fov).

Arrays are (V cameras, T frames, N objects, …) so WorldBench and training read them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kinema.world.camera import project


@dataclass
class GroundTruth:
    center: np.ndarray  # (V, T, N, 2) float32
    depth: np.ndarray  # (V, T, N) float32
    box: np.ndarray  # (V, T, N, 4) float32, NaN where not visible
    pixels: np.ndarray  # (V, T, N) float32
    poses: np.ndarray  # (V, T, 7) float32

    @property
    def visible(self) -> np.ndarray:
        return self.pixels >= 1.0

    def arrays(self) -> dict[str, np.ndarray]:
        return {"center": self.center, "depth": self.depth, "box": self.box, "pixels": self.pixels, "poses": self.poses}

    @classmethod
    def from_arrays(cls, arrays) -> GroundTruth:
        return cls(**{k: np.asarray(arrays[k]) for k in ("center", "depth", "box", "pixels", "poses")})


def measure(positions: np.ndarray, poses: np.ndarray, ids: np.ndarray, width: int, height: int, supersample: int) -> GroundTruth:
    """positions (T, N, 3); poses (V, T, 7); ids (V, T, H·k, W·k) from `render(..., with_ids=True)`."""
    V, T = poses.shape[:2]
    N = positions.shape[1]
    center = np.zeros((V, T, N, 2), np.float32)
    depth = np.zeros((V, T, N), np.float32)
    box = np.full((V, T, N, 4), np.nan, np.float32)
    pixels = np.zeros((V, T, N), np.float32)
    k = supersample
    for v in range(V):
        for t in range(T):
            u, vv, d = project(positions[t], poses[v, t], width, height)
            center[v, t, :, 0], center[v, t, :, 1], depth[v, t] = u, vv, d
            frame = ids[v, t]
            for n in range(N):
                rows, cols = np.nonzero(frame == n)
                if len(rows):
                    pixels[v, t, n] = len(rows) / (k * k)
                    box[v, t, n] = (cols.min() / k, rows.min() / k, (cols.max() + 1) / k, (rows.max() + 1) / k)
    return GroundTruth(center, depth, box, pixels, poses.astype(np.float32))
