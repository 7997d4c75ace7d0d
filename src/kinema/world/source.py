"""Reading a Kinema World dataset: a `kinema world build` folder, or a packed file made from one.

`WorldSource(path)` gives, per clip: its record (description, captions, frame count, fps), its
trajectory, its camera poses, its stored video when there is one, and it can draw the clip again at
any size on any device (`render_clips`) — which is how a GPU trains on clips it was only sent the
trajectories of.

`pack(folder, file)` (`kinema world pack`) joins a folder's descriptions, captions and trajectories
into one compressed .npz — float16 positions and orientations, one JSON text of the records — about a
kilobyte a clip, so tens of thousands of clips travel in a few tens of megabytes. Videos and ground
truth are left out: the renderer makes both again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from kinema.world.build import list_clips, read_clip
from kinema.world.camera import scene_poses
from kinema.world.render import FrameBatch, render, scene_batch
from kinema.world.scene import Scene, WorldError
from kinema.world.simulate import quaternion_matrix

PACK_FORMAT = 1


def pack(folder: Path, output: Path, clips: range | None = None) -> dict:
    """Write `folder`'s clips (those whose index is in `clips`, when given) into one .npz; returns {"clips", "bytes"}."""
    folder, output = Path(folder), Path(output)
    indices = list_clips(folder)
    if not indices:
        raise WorldError(f"{folder} holds no finished clips (is it a `kinema world build` folder?)")
    if clips is not None:
        indices = [i for i in indices if i in clips]
        if not indices:
            raise WorldError(f"{folder} holds no finished clips with index in {clips.start}:{clips.stop}")
    records, positions, orientations, offsets = [], [], [], [0]
    for index in indices:
        record, arrays = read_clip(folder, index)
        records.append({k: record[k] for k in ("index", "scene", "captions", "frames", "fps")})
        positions.append(arrays["positions"].reshape(-1, 3))
        orientations.append(arrays["orientations"].reshape(-1, 4))
        offsets.append(offsets[-1] + len(positions[-1]))
    text = json.dumps({"format": PACK_FORMAT, "records": records}).encode()
    temp = output.with_name(f".{output.name}.part")
    with open(temp, "wb") as f:
        np.savez_compressed(
            f,
            records=np.frombuffer(text, dtype=np.uint8),
            positions=np.concatenate(positions).astype(np.float16),
            orientations=np.concatenate(orientations).astype(np.float16),
            offsets=np.asarray(offsets, dtype=np.int64),
        )
    temp.replace(output)
    return {"clips": len(records), "bytes": output.stat().st_size}


class WorldSource:
    """The clips of a dataset folder or pack file, by position 0 … len − 1."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._poses: dict[int, np.ndarray] = {}
        if self.path.is_dir():
            self.indices = list_clips(self.path)
            if not self.indices:
                raise WorldError(f"{self.path} holds no finished clips (is it a `kinema world build` folder?)")
            self.packed = None
            manifest = json.loads((self.path / "world.json").read_text())
            settings = manifest["settings"]
            self.video_size = (settings["width"], settings["height"]) if settings.get("video") else None
        elif self.path.is_file():
            with np.load(self.path) as data:
                payload = json.loads(bytes(data["records"]).decode())
                if payload.get("format") != PACK_FORMAT:
                    raise WorldError(f"{self.path}: pack format {payload.get('format')} is not {PACK_FORMAT}")
                self.packed = {
                    "records": payload["records"],
                    "positions": data["positions"],
                    "orientations": data["orientations"],
                    "offsets": data["offsets"],
                }
            self.indices = [r["index"] for r in self.packed["records"]]
            self.video_size = None
        else:
            raise WorldError(f"{self.path}: no such dataset folder or pack file")

    def __len__(self) -> int:
        return len(self.indices)

    def record(self, i: int) -> dict:
        if self.packed is not None:
            return self.packed["records"][i]
        return read_clip(self.path, self.indices[i])[0]

    def scene(self, i: int) -> Scene:
        return Scene.from_dict(self.record(i)["scene"])

    def trajectory(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions (T, N, 3), rotations (T, N, 3, 3)), float32."""
        record = self.record(i)
        T, N = record["frames"], len(record["scene"]["objects"])
        if self.packed is not None:
            a, b = self.packed["offsets"][i], self.packed["offsets"][i + 1]
            positions = self.packed["positions"][a:b].astype(np.float32).reshape(T, N, 3)
            q = self.packed["orientations"][a:b].astype(np.float32).reshape(T, N, 4)
            q /= np.linalg.norm(q, axis=-1, keepdims=True)
        else:
            _, arrays = read_clip(self.path, self.indices[i])
            positions, q = arrays["positions"], arrays["orientations"]
        return positions, quaternion_matrix(q).astype(np.float32)

    def poses(self, i: int) -> np.ndarray:
        """(V, T, 7) camera poses of every simultaneous camera."""
        if i not in self._poses:
            record = self.record(i)
            positions, _ = self.trajectory(i)
            times = np.arange(record["frames"]) / record["fps"]
            self._poses[i] = scene_poses(self.scene(i), times, positions)
        return self._poses[i]

    def views(self, i: int) -> int:
        return len(self.record(i)["captions"])

    def video(self, i: int, view: int = 0) -> np.ndarray | None:
        """The stored video (T, H, W, 3) uint8 of one camera, or None when the dataset has none."""
        if self.packed is not None or self.video_size is None:
            return None
        from kinema.video import read_video

        name = f"{self.indices[i]:06d}" + (f"-v{view}" if view else "") + ".mp4"
        stem = self.path / f"shard-{self.indices[i] // 250:05d}"
        return read_video(stem / name)[0]

    def batch(self, i: int, view: int = 0) -> FrameBatch:
        positions, rotations = self.trajectory(i)
        return scene_batch(self.scene(i), positions, rotations, self.poses(i)[view])


def render_clips(
    source: WorldSource,
    items: list[tuple[int, int]],
    width: int,
    height: int,
    device: str | torch.device = "cpu",
    supersample: int = 2,
) -> list[torch.Tensor]:
    """Draw (clip, view) pairs at width × height on `device`: one (T, H, W, 3) uint8 tensor each.

    When the dataset stores videos of exactly this size they are decoded instead (much cheaper on a CPU).
    """
    device = torch.device(device)
    if source.video_size == (width, height):
        return [torch.from_numpy(source.video(i, v)).to(device) for i, v in items]
    batches = [source.batch(i, v) for i, v in items]
    lengths = [len(b) for b in batches]
    joined = FrameBatch.concat(batches)
    joined = FrameBatch(*(getattr(joined, f).to(device) for f in FrameBatch.__dataclass_fields__))
    images, _ = render(joined, width, height, supersample=supersample)
    return list(images.split(lengths))
