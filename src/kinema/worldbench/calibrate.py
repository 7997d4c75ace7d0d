"""Calibrating the detector on ground-truth renders: `python -m kinema.worldbench.calibrate`.

The renderer can say, for every pixel, which object it shows (`render(..., with_ids=True)`); that is
the label both detector networks learn from. The steps:

1. draw scenes with the sampler over every sky, ground, camera set-up and motion, render a few
   frames of every camera at 64–160 pixels, with and without supersampling, half of them through
   H.264 (what a scored MP4 goes through), and label each pixel with the colour of the object most of
   its subsamples show (background where none does), weighted by how pure the pixel is; each scene
   goes to a store on disk (`ExampleStore`, `--cache` to keep it) in compact types, and the later
   steps read the scenes back one at a time — except SegNet's training, which draws crops from every
   frame at every step and so holds the frames (uint8) in memory: 1.3 GB peak measured at 1,961
   scenes, against ≈ 0.7 GB whatever `--clips` for `--pixel-net mlp`;
2. train SegNet on random crops of the frames (most round an object), blurred, noised and re-lit a
   little at random so that it reads softer, generated pictures too; its contour target is where
   two objects' ids meet (`contour_of`). (`--pixel-net mlp` trains the first detector's PixelNet
   on sampled pixels instead);
3. run the trained labeller's components over the frames, match each to the object it covers most,
   and train ColourNet on their pixels and the objects' true colours, ShapeNet on their crops and
   the objects' true shapes;
4. choose the threshold on SegNet's contour under which the most objects are read by exactly one
   component, on the first 120 training scenes (`choose_contour_threshold`);
5. measure both on scenes drawn from another seed and write the weights (`data/detector.npz`) and
   the figures (`data/detector.json`).

Everything is seeded, so the same command gives the same weights on the same software.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage

from kinema.world.camera import scene_poses
from kinema.world.clip import camera_batches
from kinema.world.render import FrameBatch, render
from kinema.world.sampler import SamplerConfig, sample_scene
from kinema.world.scene import GROUNDS, SHAPES, SKIES
from kinema.world.simulate import simulate
from kinema.worldbench.detector import (
    COLOURS,
    WEIGHTS,
    ColourNet,
    Detector,
    Networks,
    PixelNet,
    SegNet,
    ShapeNet,
    allowed_colours,
    colour_features,
    pixel_features,
    read_shapes,
    seg_inputs,
    shape_crop,
)

SIZES = ((64, 64), (96, 96), (128, 128), (160, 96), (96, 160))


@dataclass
class Example:
    """One scene's labelled frames (every camera's, stacked), in compact types: a 1,200-scene rebuild
    keeps only one of these in memory at a time (`ExampleStore`)."""

    frames: np.ndarray  # (F, H, W, 3) uint8
    labels: np.ndarray  # (F, H, W) uint8 pixel class
    weights: np.ndarray  # (F, H, W) float16 purity of the label (a multiple of 1/4)
    ids: np.ndarray  # (F, H, W) int8 object index, −1 background
    sky: int
    ground: int
    views: list[str]  # per frame
    shapes: list[str]  # per object


def _h264(frames: np.ndarray, fps: float = 4.0) -> np.ndarray:
    from kinema.video import read_video, write_video

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        write_video(path, frames, fps)
        return read_video(path)[0]


def _labels(scene, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids (F, H·k, W·k) → pixel class, purity weight and majority object id, each (F, H, W)."""
    F, Hk, Wk = ids.shape
    H, W = Hk // k, Wk // k
    n = len(scene.objects)
    blocks = ids.reshape(F, H, k, W, k).transpose(0, 1, 3, 2, 4).reshape(F, H, W, k * k)
    counts = np.stack([(blocks == i).sum(-1, dtype=np.uint8) for i in range(-1, n)], -1)  # (F, H, W, n + 1); slot 0 background
    best = counts.argmax(-1)
    purity = counts.max(-1) / np.float32(k * k)
    colour_class = np.array([0] + [COLOURS.index(o.color) + 1 for o in scene.objects], np.uint8)
    return colour_class[best], purity.astype(np.float16), (best - 1).astype(np.int8)


def example(seed: int, clip: int, frames_per_view: int = 3) -> Example:
    """The labelled frames of random scene number `clip`, deterministic by (seed, clip) alone (so a
    rebuild can stop and resume, and scenes can be drawn in any order)."""
    rng = np.random.default_rng([seed, clip])
    config = SamplerConfig(
        min_objects=1,
        max_objects=6,
        difficulty=float(rng.uniform(0.2, 0.9)),
        views={"front": 4.0, "wide": 1.0, "top": 0.8, "close": 0.8},
        shots_probability=0.15,
        multiview_probability=0.3,
        allow_twins=bool(rng.random() < 0.2),
    )
    scene = sample_scene(rng, config)
    trajectory = simulate(scene, 9, 2.0)  # 4 s
    poses = scene_poses(scene, trajectory.times, trajectory.positions)
    picks = np.sort(rng.choice(9, size=frames_per_view, replace=False))
    width, height = SIZES[int(rng.integers(len(SIZES)))]
    k = int(rng.choice([1, 2]))
    parts: list[tuple[np.ndarray, ...]] = []
    views: list[str] = []
    for v, batch in enumerate(camera_batches(scene, trajectory, poses)):
        index = torch.from_numpy(picks)
        batch = FrameBatch(*(getattr(batch, f)[index] for f in FrameBatch.__dataclass_fields__))
        images, ids = render(batch, width, height, supersample=k, with_ids=True)
        frames = images.numpy()
        if rng.random() < 0.5:
            frames = _h264(frames)
        parts.append((frames, *_labels(scene, ids.numpy(), k)))
        del images, ids  # the supersampled id buffer is the biggest thing a clip makes
        view = scene.cameras[v].view
        views += [scene.camera_at(float(trajectory.times[p])).view if scene.shots else view for p in picks]
    frames, labels, weights, ids = (np.concatenate(a) for a in zip(*parts))
    return Example(frames, labels, weights, ids, SKIES.index(scene.sky), GROUNDS.index(scene.ground), views, [o.shape for o in scene.objects])


class ExampleStore:
    """Labelled scenes on disk, one uncompressed .npz a scene, read back one at a time.

    Rendering is most of a rebuild's time and the frames are read twice (PixelNet's samples, then the
    components ColourNet and ShapeNet learn from), so they are rendered once into the store; memory
    holds one scene whatever the number of scenes. A scene already in the store is not rendered
    again (an interrupted rebuild given the same folder resumes)."""

    def __init__(self, folder: Path, seed: int, clips: int):
        self.folder, self.seed, self.clips = Path(folder), seed, clips
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, clip: int) -> Path:
        return self.folder / f"{self.seed}-{clip:05d}.npz"

    def fill(self, log_every: int = 50) -> None:
        start, made = time.perf_counter(), 0
        for clip in range(self.clips):
            path = self.path(clip)
            if path.exists():
                continue
            ex = example(self.seed, clip)
            temp = path.with_name(f".{path.name}.part")
            with open(temp, "wb") as f:  # np.savez would add ".npz" to a bare name
                np.savez(
                    f, frames=ex.frames, labels=ex.labels, weights=ex.weights, ids=ex.ids, context=np.array([ex.sky, ex.ground]),
                    views=np.array(ex.views), shapes=np.array(ex.shapes),
                )
            os.replace(temp, path)
            made += 1
            if log_every and made % log_every == 0:
                print(f"  rendered {made} scenes ({clip + 1}/{self.clips}) in {time.perf_counter() - start:.0f} s, {_rss_mb():.0f} MB", flush=True)

    def __len__(self) -> int:
        return self.clips

    def __iter__(self) -> Iterator[Example]:
        for clip in range(self.clips):
            with np.load(self.path(clip)) as data:
                sky, ground = (int(x) for x in data["context"])
                ex = Example(data["frames"], data["labels"], data["weights"], data["ids"], sky, ground, [str(v) for v in data["views"]], [str(s) for s in data["shapes"]])
            yield ex
            del ex
            _give_back_memory()


def _give_back_memory() -> None:
    """Hand the memory freed while reading a scene back to the system. glibc's malloc keeps what a
    scene's many mid-sized arrays (component masks, features, probabilities) leave behind: measured,
    collecting components grew by ≈ 10 MB a scene without this (a 1,200-scene rebuild was killed at
    20 GB) and stays flat with it. A no-op where the C library is not glibc."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def _rss_mb() -> float:
    """This process's resident memory now, MB (Linux; 0 where /proc is not there)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


# --- PixelNet ----------------------------------------------------------------------------------------


def _augment(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A frame blurred, noised and re-lit a little at random (generated videos are softer than renders)."""
    x = frame.astype(np.float32)
    sigma = rng.uniform(0.0, 1.3)
    if sigma > 0.3:
        x = ndimage.gaussian_filter(x, sigma=(sigma, sigma, 0))
    x = x * rng.uniform(0.92, 1.08) + rng.normal(0.0, rng.uniform(0.0, 6.0), x.shape)
    return np.clip(x + 0.5, 0, 255).astype(np.uint8)


def pixel_samples(data: Iterable[Example], seed: int, per_frame: int = 600, augmented: float = 0.6, row_median: bool = False):
    """Sampled pixels of every frame: features (P, 16 or 19) float16, class, purity weight, sky, ground.

    Half of each frame's sample is object pixels, a quarter background next to objects (where the
    boundary is decided), a quarter background anywhere; `augmented` of the frames are blurred,
    noised and re-lit first."""
    rng = np.random.default_rng(seed)
    xs, ys, ws, skies, grounds = [], [], [], [], []
    ring = np.ones((1, 7, 7), bool)
    for ex in data:
        frames = np.stack([_augment(f, rng) if rng.random() < augmented else f for f in ex.frames])
        features = pixel_features(frames, row_median)
        near = ndimage.binary_dilation(ex.labels > 0, structure=ring) & (ex.labels == 0)
        for f in range(len(frames)):
            picks = []
            for pool, count in ((ex.labels[f] > 0, per_frame // 2), (near[f], per_frame // 4), (ex.labels[f] == 0, per_frame // 4)):
                flat = np.flatnonzero(pool)
                if len(flat):
                    picks.append(rng.choice(flat, size=min(count, len(flat)), replace=False))
            index = np.concatenate(picks)
            # float16 halves what a large rebuild holds; the features are colours in [0, 1].
            xs.append(features[f].reshape(-1, features.shape[-1])[index].astype(np.float16))
            ys.append(ex.labels[f].ravel()[index])
            ws.append(ex.weights[f].ravel()[index])
            skies.append(np.full(len(index), ex.sky, np.int8))
            grounds.append(np.full(len(index), ex.ground, np.int8))
        del frames, features
    return (np.concatenate(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(skies), np.concatenate(grounds))


def fit(
    optimiser: torch.optim.Optimizer,
    steps: int,
    batch_loss,
    one_cycle: float | None = None,
    name: str = "",
    log_every: int = 0,
) -> None:
    """The detector networks' one training loop: `steps` Adam steps on `batch_loss()` (which draws its
    own batch), under a one-cycle schedule peaking at `one_cycle` when given, printing the loss every
    `log_every` steps."""
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=one_cycle, total_steps=steps, pct_start=0.1) if one_cycle else None
    for step in range(steps):
        loss = batch_loss()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if schedule:
            schedule.step()
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"{name} step {step:5d} loss {loss.item():.4f}", flush=True)


def train_pixel_net(samples, steps: int, seed: int, log_every: int = 500) -> PixelNet:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, Y, W, S, G = (torch.from_numpy(np.asarray(a)) for a in samples)
    net = PixelNet(features=X.shape[1])
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    # Samples over-represent objects (half of each frame's); in frames the background is most pixels,
    # so a background mistake is weighed more to keep the detector from seeing objects everywhere.
    class_weight = torch.ones(1 + len(COLOURS))
    class_weight[0] = 3.0

    def batch_loss() -> torch.Tensor:
        pick = torch.from_numpy(rng.integers(0, len(Y), size=2048))
        logits = net(X[pick].float(), S[pick].long(), G[pick].long())
        loss = torch.nn.functional.cross_entropy(logits, Y[pick].long(), weight=class_weight, reduction="none")
        return (loss * W[pick].float()).mean()

    fit(optimiser, steps, batch_loss, one_cycle=3e-3, name="pixel", log_every=log_every)
    return net.eval()


# --- SegNet ------------------------------------------------------------------------------------------


def contour_of(ids: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """(F, H, W) object ids (−1 background) → (F, H, W) bool: object pixels with a 4-neighbour that
    belongs to another object (both sides of where two objects meet in the picture). With `classes`
    ((F, H, W) pixel colour classes), only where the two objects are of one colour: the meetings
    that only the contour can tell apart."""
    out = np.zeros(ids.shape, bool)
    for axis in (1, 2):
        a = np.moveaxis(ids, axis, 0)
        o = np.moveaxis(out, axis, 0)
        meet = (a[1:] >= 0) & (a[:-1] >= 0) & (a[1:] != a[:-1])
        if classes is not None:
            c = np.moveaxis(classes, axis, 0)
            meet &= c[1:] == c[:-1]
        o[1:] |= meet
        o[:-1] |= meet
    return out


@dataclass
class SegFrames:
    """Every training frame of a store in memory, for SegNet: frames are drawn at random each step."""

    frames: list[np.ndarray]  # (H, W, 3) uint8
    labels: list[np.ndarray]  # (H, W) uint8
    weights: list[np.ndarray]  # (H, W) float16 purity
    contours: list[np.ndarray]  # (H, W) bool
    context: list[tuple[int, int]]  # (sky, ground)
    twins: list[np.ndarray] = field(default_factory=list)
    """(H, W) bool: the part of the contour where two objects of one colour meet."""
    with_twins: list[int] = field(default_factory=list)
    """The frames where two objects of one colour meet."""


def seg_frames(data: Iterable[Example]) -> SegFrames:
    out = SegFrames([], [], [], [], [])
    for ex in data:
        contour = contour_of(ex.ids)
        twins = contour_of(ex.ids, ex.labels)
        for f in range(len(ex.frames)):
            if twins[f].any():
                out.with_twins.append(len(out.frames))
            out.frames.append(ex.frames[f].copy())
            out.labels.append(ex.labels[f].copy())
            out.weights.append(ex.weights[f].copy())
            out.contours.append(contour[f].copy())
            out.twins.append(twins[f].copy())
            out.context.append((ex.sky, ex.ground))
    return out


def train_seg_net(
    data: SegFrames,
    steps: int,
    seed: int,
    crop: int = 64,
    batch: int = 16,
    log_every: int = 250,
    twin_weight: float = 1.0,
    twin_crops: float = 0.0,
    contour_weight: float = 3.0,
    class_weight: dict[str, float] | None = None,
) -> SegNet:
    """SegNet on random crops of the frames (blurred, noised and re-lit at random, and mirrored: Kinema
    World looks the same mirrored), in bfloat16 autocast (twice as fast on a CPU with AVX-512 BF16).
    Loss: cross-entropy of the classes, each pixel weighed by its label's purity and object pixels
    twice (they are few and they are what is scored), plus the contour's binary cross-entropy, its
    positives weighed `contour_weight` times (they are a pixel or two wide).

    Where two objects of one colour meet, only the contour keeps them two, and such meetings are
    rare in the scenes: `twin_weight` multiplies the contour loss there, and `twin_crops` is the
    share of crops drawn round one (from the frames that have one).

    `class_weight` multiplies the class loss of the pixels of the colours it names: gray, which
    differs from white and black only in how much light it gives back, is the colour SegNet reads
    worst."""
    torch.manual_seed(seed)
    by_class = np.ones(1 + len(COLOURS), np.float32)
    for colour, weight in (class_weight or {}).items():
        by_class[1 + COLOURS.index(colour)] = weight
    rng = np.random.default_rng(seed)
    net = SegNet()
    optimiser = torch.optim.AdamW(net.parameters(), lr=4e-3, weight_decay=1e-4)

    def draw():
        xs, ys, ws, cs, ts, skies, grounds = [], [], [], [], [], [], []
        for _ in range(batch):
            twin = twin_crops > 0 and bool(data.with_twins) and rng.random() < twin_crops  # (no draw at 0: earlier weights stay reproducible)
            i = int(rng.choice(data.with_twins)) if twin else int(rng.integers(len(data.frames)))
            frame = _augment(data.frames[i], rng) if rng.random() < 0.6 else data.frames[i]
            H, W = frame.shape[:2]
            objects = np.flatnonzero(data.twins[i] if twin else data.labels[i])
            if len(objects) and (twin or rng.random() < 0.8):  # most crops round an object: they are few pixels of a frame
                centre = divmod(int(rng.choice(objects)), W)
                r = int(np.clip(centre[0] - crop // 2 + rng.integers(-crop // 4, crop // 4 + 1), 0, H - crop))
                c = int(np.clip(centre[1] - crop // 2 + rng.integers(-crop // 4, crop // 4 + 1), 0, W - crop))
            else:
                r, c = int(rng.integers(H - crop + 1)), int(rng.integers(W - crop + 1))
            window = (slice(r, r + crop), slice(c, c + crop))
            x = seg_inputs(frame[None])[0][(slice(None), *window)]
            y, w, k = data.labels[i][window], data.weights[i][window].astype(np.float32), data.contours[i][window]
            t = data.twins[i][window] if data.twins else np.zeros_like(k)
            if rng.random() < 0.5:
                x, y, w, k, t = x[..., ::-1], y[:, ::-1], w[:, ::-1], k[:, ::-1], t[:, ::-1]
            xs.append(np.ascontiguousarray(x))
            ys.append(np.ascontiguousarray(y))
            ws.append(np.ascontiguousarray(w * np.where(y > 0, 2.0, 1.0) * by_class[y]))
            cs.append(np.ascontiguousarray(k))
            ts.append(np.where(t, twin_weight, 1.0).astype(np.float32))
            skies.append(data.context[i][0])
            grounds.append(data.context[i][1])
        return (torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys)).long(), torch.from_numpy(np.stack(ws)),
                torch.from_numpy(np.stack(cs)).float(), torch.from_numpy(np.stack(ts)), torch.tensor(skies), torch.tensor(grounds))

    def batch_loss() -> torch.Tensor:
        x, y, w, k, t, sky, ground = draw()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = net(x, sky, ground)
        logits = logits.float()
        classes = torch.nn.functional.cross_entropy(logits[:, :-1], y, reduction="none")
        contour = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, -1], k, weight=t, pos_weight=torch.tensor(contour_weight))
        return (classes * w).mean() + contour

    fit(optimiser, steps, batch_loss, one_cycle=4e-3, name="seg", log_every=log_every)
    return net.eval()


# --- ShapeNet ----------------------------------------------------------------------------------------


def _owner(ids: np.ndarray, detection) -> int | None:
    """The object a component covers most, from the frame's object ids; None when under half its
    pixels show an object (a patch of ground or sky)."""
    covered = ids[detection.pixels[:, 0], detection.pixels[:, 1]]
    covered = covered[covered >= 0]
    return int(np.bincount(covered).argmax()) if len(covered) >= 0.5 * detection.area else None


def blob_examples(detector: Detector, data: Iterable[Example]) -> dict[str, np.ndarray]:
    """Every component the pixel labeller (SegNet or PixelNet) finds, matched to the object it covers
    most: ColourNet's features and the object's colour, ShapeNet's crop (float16: masks and a shading
    in a few units) and the object's shape."""
    out: dict[str, list] = {"colour_x": [], "colour_y": [], "crops": [], "extras": [], "shape_y": []}
    for ex in data:
        sky, ground = SKIES[ex.sky], GROUNDS[ex.ground]
        probs, contour = detector.pixel_maps(ex.frames, sky, ground)
        allowed = allowed_colours(sky, ground)
        for f in range(len(ex.frames)):
            reading = detector._components(ex.frames[f], probs[f], sky, ground, allowed, contour=None if contour is None else contour[f])
            background = probs[f].argmax(0) == 0
            for d in reading.detections:
                owner = _owner(ex.ids[f], d)
                if owner is None:
                    continue
                mask = np.zeros(ex.labels.shape[1:], bool)
                mask[d.pixels[:, 0], d.pixels[:, 1]] = True
                out["colour_x"].append(colour_features(ex.frames[f], probs[f], mask, background, sky, ground))
                out["colour_y"].append(int(ex.labels[f][ex.ids[f] == owner][0]) - 1)
                if d.size >= 4:
                    crop, extra = shape_crop(ex.frames[f], reading.labels, d, ex.views[f])
                    out["crops"].append(crop.astype(np.float16))
                    out["extras"].append(extra)
                    out["shape_y"].append(SHAPES.index(ex.shapes[owner]))
        del probs, contour
    if not out["colour_y"] or not out["shape_y"]:
        raise RuntimeError("The pixel labeller found no objects to learn colours and shapes from: train it longer (--pixel-steps) or on more scenes (--clips)")
    return {k: np.stack(v) if k in ("colour_x", "crops", "extras") else np.array(v) for k, v in out.items()}


def train_colour_net(x: np.ndarray, y: np.ndarray, steps: int, seed: int) -> ColourNet:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = ColourNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    X, Y = torch.from_numpy(x), torch.from_numpy(y).long()

    def batch_loss() -> torch.Tensor:
        pick = torch.from_numpy(rng.integers(0, len(Y), size=256))
        return torch.nn.functional.cross_entropy(net(X[pick]), Y[pick])

    fit(optimiser, steps, batch_loss)
    return net.eval()


def train_shape_net(crops, extras, labels, steps: int, seed: int, log_every: int = 250) -> ShapeNet:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = ShapeNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-5)
    X, E, Y = torch.from_numpy(crops), torch.from_numpy(extras), torch.from_numpy(labels)

    def batch_loss() -> torch.Tensor:
        pick = torch.from_numpy(rng.integers(0, len(Y), size=128))
        x, e = X[pick].float(), E[pick].clone()
        flip = torch.from_numpy(rng.random(128) < 0.5)  # Kinema World's shapes look the same mirrored
        x[flip] = x[flip].flip(-1)
        return torch.nn.functional.cross_entropy(net(x, e), Y[pick])

    fit(optimiser, steps, batch_loss, one_cycle=2e-3, name="shape", log_every=log_every)
    return net.eval()


# --- measuring ---------------------------------------------------------------------------------------


CONTOUR_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def frame_owners(detectors: dict, data: Iterable[Example]) -> Iterator[tuple[list[int], dict]]:
    """For every frame of the scenes: the objects it shows (at least the detector's smallest area) and,
    per detector (keyed as given; all share the first one's pixel maps), the object each component it
    reads covers most (`_owner`). The prompt's colours are the objects' own."""
    first = next(iter(detectors.values()))
    for ex in data:
        sky, ground = SKIES[ex.sky], GROUNDS[ex.ground]
        probs, contour = first.pixel_maps(ex.frames, sky, ground)
        if contour is None:
            raise ValueError("only SegNet draws contours: a PixelNet's components are not read this way")
        allowed = allowed_colours(sky, ground)
        for f in range(len(ex.frames)):
            ids = ex.ids[f]
            visible = [k for k in range(int(ids.max()) + 1) if (ids == k).sum() >= first.min_area(*ids.shape)]
            expected = frozenset(COLOURS[int(ex.labels[f][ids == k][0]) - 1] for k in visible)
            owners = {}
            for key, detector in detectors.items():
                reading = detector._components(ex.frames[f], probs[f], sky, ground, allowed, expected, contour[f])
                owners[key] = [_owner(ids, d) for d in reading.detections]
            yield visible, owners


def objects_read_once(networks: Networks, data: Iterable[Example], thresholds: Iterable[float] = CONTOUR_THRESHOLDS) -> tuple[dict[float, float], int]:
    """Per contour threshold, the share of the objects in the frames (those showing at least the
    detector's smallest area) that exactly one component is mostly of — neither merged into another
    object's component nor split in two — and how many objects that is over."""
    detectors = {t: Detector(networks=Networks(networks.pixel, networks.colour, networks.shape, t)) for t in thresholds}
    once, objects = dict.fromkeys(detectors, 0), 0
    for visible, owners in frame_owners(detectors, data):
        objects += len(visible)
        for t, found in owners.items():
            once[t] += sum(found.count(k) == 1 for k in visible)
    return {t: round(n / max(objects, 1), 4) for t, n in once.items()}, objects


def choose_contour_threshold(networks: Networks, data: Iterable[Example]) -> tuple[float, dict[float, float]]:
    """The contour threshold (of `CONTOUR_THRESHOLDS`) for these networks, and every threshold's share
    of objects read once (`objects_read_once`).

    A SegNet whose contour loss weighs contour pixels more marks more pixels as contour, inside
    objects as well as between them, and needs a threshold above 0.5 not to split objects. It is
    raised from 0.5 only as far as the scenes show it helps: the lowest threshold whose share is
    within one standard error of the best share (the "one standard error" rule of model selection).
    det-f's shares on 120 training scenes: 0.9414 at 0.8 and 0.9427 at 0.9 (one standard error is
    0.0059, over 1,571 objects), so 0.8; at 0.9, count-033's two cyan capsules a pixel apart at 96×96 are one."""
    shares, objects = objects_read_once(networks, data)
    best = max(shares.values())
    error = math.sqrt(best * (1 - best) / max(objects, 1))
    return min(t for t, share in shares.items() if share >= best - error), shares


def pixel_figures(detector: Detector, data: Iterable[Example]) -> dict:
    """Per class: recall of pure pixels (weight 1); and how many background pixels are read as objects."""
    confusion = np.zeros((1 + len(COLOURS), 1 + len(COLOURS)), np.int64)
    for ex in data:
        probs = detector.pixel_probs(ex.frames, SKIES[ex.sky], GROUNDS[ex.ground])
        predicted = probs.argmax(1)
        pure = ex.weights == 1.0
        np.add.at(confusion, (ex.labels[pure], predicted[pure]), 1)
    names = ("background", *COLOURS)
    recall = confusion.diagonal() / np.maximum(confusion.sum(1), 1)
    out = {names[i]: round(float(recall[i]), 4) for i in range(len(names))}
    out["background_read_as_object"] = round(float(1 - recall[0]), 5)
    objects = confusion[1:, 1:]
    out["object_pixels_right_colour"] = round(float(objects.diagonal().sum() / max(objects.sum(), 1)), 4)
    return out


def blob_figures(colour: ColourNet, shape: ShapeNet, blobs: dict[str, np.ndarray]) -> dict:
    """Share of components given the right colour (ColourNet, and PixelNet's majority before it) and
    the right shape (per crop and its mirror image, as the detector reads it: before any vote over
    frames)."""
    with torch.inference_mode():
        colours = colour(torch.from_numpy(blobs["colour_x"])).argmax(1).numpy()
    shapes = read_shapes(shape, blobs["crops"], blobs["extras"]).argmax(1)
    majority = blobs["colour_x"][:, : len(COLOURS)].argmax(1)
    out = {
        "components": len(colours),
        "colour": round(float((colours == blobs["colour_y"]).mean()), 4),
        "colour_by_pixel_majority": round(float((majority == blobs["colour_y"]).mean()), 4),
        "shape_per_crop": round(float((shapes == blobs["shape_y"]).mean()), 4),
    }
    for i, name in enumerate(SHAPES):
        out[f"shape_{name}"] = round(float((shapes[blobs["shape_y"] == i] == i).mean()), 4)
    return out


def save(networks: Networks, path: Path, figures: dict) -> None:
    arrays = {}
    for name in ("pixel", "colour", "shape"):
        arrays.update({f"{name}.{k}": v.detach().numpy() for k, v in getattr(networks, name).state_dict().items()})
    if isinstance(networks.pixel, SegNet):
        arrays["seg_padding"] = np.array(networks.pixel.padding)
        arrays["contour_threshold"] = np.array(networks.contour_threshold)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.part")
    with open(temp, "wb") as f:
        np.savez_compressed(f, **arrays)
    os.replace(temp, path)
    path.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the WorldBench detector on ground-truth renders.")
    parser.add_argument("--clips", type=int, default=900, help="training scenes")
    parser.add_argument("--val-clips", type=int, default=120, help="held-out scenes for the figures")
    parser.add_argument("--pixel-net", choices=("seg", "mlp"), default="seg", help="the pixel labeller: SegNet (convolutional, with contours) or PixelNet (per-pixel MLP)")
    parser.add_argument("--pixel-steps", type=int, help="its training steps (default: 3000 for SegNet, 6000 for PixelNet)")
    parser.add_argument("--contour-weight", type=float, default=3.0, help="SegNet: how much more a contour pixel counts than another in the contour's loss")
    parser.add_argument("--twin-weight", type=float, default=1.0, help="SegNet: how much more the contour counts where two objects of one colour meet")
    parser.add_argument("--twin-crops", type=float, default=0.0, help="SegNet: the share of crops drawn round a place where two objects of one colour meet")
    parser.add_argument(
        "--class-weight", action="append", default=[], metavar="COLOUR=W",
        help="SegNet: how much more a pixel of this colour counts in the class loss (repeatable, e.g. gray=2)",
    )
    parser.add_argument("--colour-steps", type=int, default=3000)
    parser.add_argument("--shape-steps", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--row-median", action="store_true", help="PixelNet also reads its row's median colour (19 features a pixel)")
    parser.add_argument(
        "--cache", type=Path,
        help="keep the rendered scenes in this folder (a rerun with the same folder and seed renders only what is missing); default: a temporary folder, removed at the end",
    )
    args = parser.parse_args(argv)
    if args.pixel_steps is None:
        args.pixel_steps = 3000 if args.pixel_net == "seg" else 6000
    if args.row_median and args.pixel_net != "mlp":
        parser.error("--row-median is a PixelNet feature: give --pixel-net mlp with it")
    for name in ("clips", "val_clips", "pixel_steps", "colour_steps", "shape_steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, not {getattr(args, name)}")
    for name in ("contour_weight", "twin_weight"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be above 0, not {getattr(args, name)}")
    args.class_weight = _class_weights(parser, args.class_weight)
    if not 0 <= args.twin_crops <= 1:
        parser.error(f"--twin-crops is a share of the crops, from 0 to 1, not {args.twin_crops}")
    # OMP_NUM_THREADS, where set, is the share of a shared machine this run may use.
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or max(1, min(4, os.cpu_count() or 1))))

    with tempfile.TemporaryDirectory(prefix="kinema-calibrate-") as temporary:
        folder = args.cache or Path(temporary)
        return _rebuild(args, folder, argv if argv is not None else sys.argv[1:])


def _class_weights(parser: argparse.ArgumentParser, given: list[str]) -> dict[str, float]:
    """['gray=2', …] → {'gray': 2.0, …}; an unknown colour or a weight not above 0 is refused."""
    weights = {}
    for item in given:
        colour, _, value = item.partition("=")
        if colour not in COLOURS:
            parser.error(f"--class-weight {item!r}: {colour!r} is not a colour; the colours are {', '.join(COLOURS)}")
        try:
            weights[colour] = float(value)
        except ValueError:
            parser.error(f"--class-weight {item!r}: give COLOUR=W with W a number, like gray=2")
        if not weights[colour] > 0:
            parser.error(f"--class-weight {item!r}: the weight must be above 0")
    return weights


def _rebuild(args: argparse.Namespace, folder: Path, argv: list[str]) -> int:
    start = time.perf_counter()

    def stage(what: str) -> None:
        print(f"[{time.perf_counter() - start:6.0f} s, {_rss_mb():5.0f} MB] {what}", flush=True)

    train = ExampleStore(folder / "train", args.seed, args.clips)
    val = ExampleStore(folder / "val", args.seed + 1000, args.val_clips)
    stage(f"rendering {args.clips} + {args.val_clips} scenes into {folder}")
    train.fill()
    val.fill()
    if args.pixel_net == "seg":
        frames = seg_frames(train)
        stage(f"training SegNet on {len(frames.frames)} frames")
        pixel = train_seg_net(
            frames, args.pixel_steps, args.seed,
            twin_weight=args.twin_weight, twin_crops=args.twin_crops, contour_weight=args.contour_weight, class_weight=args.class_weight,
        )
        del frames
    else:
        stage("sampling pixels")
        samples = pixel_samples(train, args.seed, row_median=args.row_median)
        stage(f"training PixelNet on {len(samples[1])} pixels")
        pixel = train_pixel_net(samples, args.pixel_steps, args.seed)
        del samples
    # ColourNet and ShapeNet learn from what the pixel labeller's components look like, so they are trained on them.
    detector = Detector(networks=Networks(pixel, None, None))
    stage("collecting the pixel labeller's components")
    blobs = blob_examples(detector, train)
    stage(f"{len(blobs['colour_y'])} components, {len(blobs['shape_y'])} shape crops; training ColourNet and ShapeNet")
    colour = train_colour_net(blobs["colour_x"], blobs["colour_y"], args.colour_steps, args.seed)
    shape = train_shape_net(blobs["crops"], blobs["extras"], blobs["shape_y"], args.shape_steps, args.seed)
    del blobs
    networks = Networks(pixel, colour, shape)
    shares = None
    if args.pixel_net == "seg":
        stage("choosing the contour threshold on the first 120 training scenes")
        networks.contour_threshold, shares = choose_contour_threshold(networks, ExampleStore(folder / "train", args.seed, min(120, args.clips)))
        print(f"objects read once per contour threshold: {shares}; chosen {networks.contour_threshold}", flush=True)
    detector = Detector(networks=Networks(pixel, None, None, networks.contour_threshold))
    stage("measuring on the held-out scenes")
    figures = {
        "made_by": "python -m kinema.worldbench.calibrate " + " ".join(_weight_arguments(argv)),
        "seed": args.seed,
        "clips": args.clips,
        "pixel_net": args.pixel_net,
        "pixel_steps": args.pixel_steps,
        "colour_steps": args.colour_steps,
        "shape_steps": args.shape_steps,
        "contour_weight": args.contour_weight,
        "twin_weight": args.twin_weight,
        "twin_crops": args.twin_crops,
        "class_weight": args.class_weight,
        "row_median": args.row_median,
        "contour_threshold": networks.contour_threshold,
        "objects_read_once_by_contour_threshold": shares and {str(t): v for t, v in shares.items()},
        "pixel_recall_val": pixel_figures(detector, val),
        "components_val": blob_figures(colour, shape, blob_examples(detector, val)),
        "seconds": round(time.perf_counter() - start),
        "peak_rss_mb": round(_peak_rss_mb()),
    }
    save(networks, args.out, figures)
    stage(f"wrote {args.out}")
    print(json.dumps(figures, indent=2))
    return 0


def _weight_arguments(argv: list[str]) -> list[str]:
    """The command's arguments less where it writes (--out, --cache): what the weights depend on."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--out", "--cache"):
            skip = True
        elif not a.startswith(("--out=", "--cache=")):
            out.append(a)
    return out

def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, MB (ru_maxrss is in kB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
