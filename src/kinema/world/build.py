"""`kinema world build`: a sharded Kinema World dataset on disk; `kinema world render`: one scene.

Layout of a dataset folder:

    DIR/world.json                  the settings it was built with (a rerun must match them)
    DIR/shard-00000/000000.json     description, captions, seed, size, fps, frame count
    DIR/shard-00000/000000.npz      trajectory, camera poses and ground truth arrays
    DIR/shard-00000/000000.mp4      the video (000000-v1.mp4 … for extra simultaneous cameras)

- Deterministic by seed: clip i is drawn from `numpy.random.default_rng([seed, i])`, so it is the same
  clip whatever the worker count or the order clips are made in.
- Resumable: a clip's JSON is written last (atomically, by rename), so a clip counts as done only
  when all its files are there; a rerun skips done clips and makes the rest.
- Sharded: `SHARD_SIZE` clips a folder, so no folder grows huge and shards can be moved apart.
- `--no-video` stores descriptions, captions, trajectories and poses only (kilobytes a clip): what the
  training pipeline needs to render clips itself, on a GPU, at whatever size it wants.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kinema.world.captions import captions
from kinema.world.clip import frame_count, make_clip
from kinema.world.sampler import SamplerConfig, sample_scene
from kinema.world.scene import Scene, WorldError

SHARD_SIZE = 250
FORMAT_VERSION = 1


class BuildError(WorldError):
    """Bad build settings, or a folder built with other settings; the message says which."""


@dataclass(frozen=True)
class BuildSettings:
    clips: int
    width: int = 128
    height: int = 128
    seconds: float = 4.0
    fps: float = 8.0
    seed: int = 0
    video: bool = True
    supersample: int = 2
    min_objects: int = 1
    max_objects: int = 4
    difficulty: float = 0.5
    shots_probability: float = 0.1
    multiview_probability: float = 0.0

    def check(self) -> None:
        if self.clips < 1:
            raise BuildError(f"clips {self.clips} must be at least 1")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value < 16 or value > 1024 or value % 2:
                raise BuildError(f"{name} {value} must be even and within 16–1024 (H.264 needs even sizes)")
        if not 0 < self.seconds <= 60:
            raise BuildError(f"seconds {self.seconds} is outside (0, 60]")
        if not 1 <= self.fps <= 60:
            raise BuildError(f"fps {self.fps} is outside 1–60")
        if self.supersample not in (1, 2, 3, 4):
            raise BuildError(f"supersample {self.supersample} must be 1, 2, 3 or 4")
        self.sampler()  # validates the mix

    def sampler(self) -> SamplerConfig:
        return SamplerConfig(
            min_objects=self.min_objects,
            max_objects=self.max_objects,
            difficulty=self.difficulty,
            shots_probability=self.shots_probability,
            multiview_probability=self.multiview_probability,
            seconds=self.seconds,
        )

    @property
    def frames(self) -> int:
        return frame_count(self.seconds, self.fps)


def clip_path(out: Path, index: int) -> Path:
    """Stem of clip `index`'s files: DIR/shard-SSSSS/IIIIII."""
    return out / f"shard-{index // SHARD_SIZE:05d}" / f"{index:06d}"


def clip_scene(settings: BuildSettings, index: int) -> tuple[Scene, np.random.Generator]:
    rng = np.random.default_rng([settings.seed, index])
    return sample_scene(rng, settings.sampler()), rng


def is_done(out: Path, index: int) -> bool:
    return clip_path(out, index).with_suffix(".json").is_file()


def _atomic_write(path: Path, write) -> None:
    temp = path.with_name(f".{path.name}.part")
    write(temp)
    os.replace(temp, path)


def make_one(settings: BuildSettings, out: Path, index: int) -> int:
    """Make and store clip `index`; returns its index (for the progress bar)."""
    from kinema.video import write_video

    scene, rng = clip_scene(settings, index)
    clip = make_clip(scene, settings.width, settings.height, settings.seconds, settings.fps, settings.supersample, settings.video)
    stem = clip_path(out, index)
    stem.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "times": clip.trajectory.times.astype(np.float32),
        "positions": clip.trajectory.positions,
        "orientations": clip.trajectory.orientations,
        "poses": clip.poses.astype(np.float32),
    }
    if clip.truth is not None:
        arrays.update({f"truth_{k}": v for k, v in clip.truth.arrays().items() if k != "poses"})
    _atomic_write(stem.with_suffix(".npz"), lambda p: np.savez_compressed(open(p, "wb"), **arrays))
    videos = []
    if clip.frames is not None:
        for v, frames in enumerate(clip.frames):
            path = stem.with_name(stem.name + (f"-v{v}" if v else "") + ".mp4")
            write_video(path, frames, settings.fps)  # writes to a temp file and renames
            videos.append(path.name)
    cameras = len(scene.cameras)
    record = {
        "index": index,
        "seed": [settings.seed, index],
        "scene": scene.to_dict(),
        "captions": [captions(scene, rng, camera=v, seconds=settings.seconds) for v in range(cameras)],
        "frames": settings.frames,
        "fps": settings.fps,
        "size": f"{settings.width}x{settings.height}",
        "videos": videos,
    }
    _atomic_write(stem.with_suffix(".json"), lambda p: p.write_text(json.dumps(record)))
    return index


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)  # one process per core beats threads inside each for many small frames


def _make_star(job: tuple[BuildSettings, Path, int]) -> int:
    return make_one(*job)


def build(settings: BuildSettings, out: Path, workers: int = 1, progress: bool = True) -> dict:
    """Make every clip of `settings` in `out` that is not there yet; returns figures of the run."""
    from tqdm import tqdm

    settings.check()
    if workers < 1:
        raise BuildError(f"workers {workers} must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "world.json"
    record = {"format": FORMAT_VERSION, "settings": asdict(settings), "shard_size": SHARD_SIZE}
    if manifest.exists():
        previous = json.loads(manifest.read_text())
        old = {k: v for k, v in previous.get("settings", {}).items() if k != "clips"}
        new = {k: v for k, v in record["settings"].items() if k != "clips"}
        if old != new:
            changed = sorted(k for k in new if old.get(k) != new[k])
            raise BuildError(
                f"{out} was built with other settings ({', '.join(f'{k}: {old.get(k)} → {new[k]}' for k in changed)}); "
                f"use a new folder, or the same settings to resume"
            )
        record["settings"]["clips"] = max(settings.clips, previous["settings"]["clips"])
    _atomic_write(manifest, lambda p: p.write_text(json.dumps(record, indent=2)))

    todo = [i for i in range(settings.clips) if not is_done(out, i)]
    start = time.perf_counter()
    bar = tqdm(total=settings.clips, initial=settings.clips - len(todo), unit="clip", desc="world", disable=not progress)
    jobs = [(settings, out, i) for i in todo]
    if workers == 1:
        _worker_init()
        for job in jobs:
            _make_star(job)
            bar.update()
    else:
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_init) as pool:
            for _ in pool.imap_unordered(_make_star, jobs, chunksize=4):
                bar.update()
    bar.close()
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {
        "clips": settings.clips,
        "made": len(todo),
        "seconds": round(seconds, 1),
        "clips_per_second": round(len(todo) / seconds, 2) if todo and seconds > 0 else None,
        "bytes": size,
    }


def read_clip(out: Path, index: int) -> tuple[dict, dict[str, np.ndarray]]:
    """A built clip's JSON record and its arrays."""
    stem = clip_path(Path(out), index)
    record = json.loads(stem.with_suffix(".json").read_text())
    with np.load(stem.with_suffix(".npz")) as data:
        arrays = {k: data[k] for k in data.files}
    return record, arrays


def list_clips(out: Path) -> list[int]:
    """Indices of the finished clips in a dataset folder, in order."""
    return sorted(int(p.stem) for p in Path(out).glob("shard-*/[0-9]*.json"))


def render_scene_file(spec: Path, output: Path, width: int, height: int, seconds: float, fps: float, views: bool) -> list[Path]:
    """`kinema world render`: one description → an MP4 (and with views, one per camera plus nothing else)."""
    from kinema.video import write_video

    try:
        scene = Scene.from_json(Path(spec).read_text())
    except OSError as error:
        raise BuildError(f"cannot read {spec}: {error.strerror}") from None
    clip = make_clip(scene, width, height, seconds, fps)
    paths = []
    count = len(clip.frames) if views else 1
    for v in range(count):
        path = output if v == 0 else output.with_name(f"{output.stem}-v{v}{output.suffix}")
        paths.append(write_video(path, clip.frames[v], fps))
    return paths


__all__ = [
    "BuildError",
    "BuildSettings",
    "build",
    "clip_path",
    "list_clips",
    "make_one",
    "read_clip",
    "render_scene_file",
]
