"""Calibrating the detector on ground-truth renders: `python -m kinema.worldbench.calibrate`.

The renderer can say, for every pixel, which object it shows (`render(..., with_ids=True)`); that is
the label both detector networks learn from. The steps:

1. draw scenes with the sampler over every sky, ground, camera set-up and motion, render a few
   frames of every camera at 64–160 pixels, with and without supersampling, half of them through
   H.264 (what a scored MP4 goes through), and label each pixel with the colour of the object most of
   its subsamples show (background where none does), weighted by how pure the pixel is;
2. train PixelNet on random crops, blurred, noised and re-lit a little at random so that it reads
   softer, generated pictures too;
3. run the trained PixelNet's components over the frames, match each to the object it covers most,
   and train ColourNet on their pixels and the objects' true colours, ShapeNet on their crops and
   the objects' true shapes;
4. measure both on scenes drawn from another seed and write the weights (`data/detector.npz`) and
   the figures (`data/detector.json`).

Everything is seeded, so the same command gives the same weights on the same software.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
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
    PIXEL_FEATURES,
    WEIGHTS,
    ColourNet,
    Detector,
    Networks,
    PixelNet,
    ShapeNet,
    allowed_colours,
    colour_features,
    pixel_features,
    shape_crop,
)

SIZES = ((64, 64), (96, 96), (128, 128), (160, 96), (96, 160))


@dataclass
class Example:
    frames: np.ndarray  # (F, H, W, 3) uint8
    labels: np.ndarray  # (F, H, W) int64 pixel class
    weights: np.ndarray  # (F, H, W) float32 purity of the label
    ids: np.ndarray  # (F, H, W) int16 object index, −1 background
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
    blocks = ids.reshape(F, H, k, W, k).transpose(0, 1, 3, 2, 4).reshape(F, H, W, k * k).astype(np.int64)
    counts = np.stack([(blocks == i).sum(-1) for i in range(-1, n)], -1)  # (F, H, W, n + 1); slot 0 background
    best = counts.argmax(-1)
    purity = counts.max(-1) / (k * k)
    colour_class = np.array([0] + [COLOURS.index(o.color) + 1 for o in scene.objects])
    return colour_class[best], purity.astype(np.float32), (best - 1).astype(np.int16)


def examples(seed: int, clips: int, frames_per_view: int = 3) -> list[Example]:
    """Labelled frames of `clips` random scenes, deterministic by seed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(clips):
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
        for v, batch in enumerate(camera_batches(scene, trajectory, poses)):
            index = torch.from_numpy(picks)
            batch = FrameBatch(*(getattr(batch, f)[index] for f in FrameBatch.__dataclass_fields__))
            images, ids = render(batch, width, height, supersample=k, with_ids=True)
            frames, ids = images.numpy(), ids.numpy()
            if rng.random() < 0.5:
                frames = _h264(frames)
            labels, weights, majority = _labels(scene, ids, k)
            view = scene.cameras[v].view
            views = [scene.camera_at(float(trajectory.times[p])).view if scene.shots else view for p in picks]
            out.append(
                Example(frames, labels, weights, majority, SKIES.index(scene.sky), GROUNDS.index(scene.ground), views, [o.shape for o in scene.objects])
            )
    return out


# --- PixelNet ----------------------------------------------------------------------------------------


def _augment(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A frame blurred, noised and re-lit a little at random (generated videos are softer than renders)."""
    x = frame.astype(np.float32)
    sigma = rng.uniform(0.0, 1.3)
    if sigma > 0.3:
        x = ndimage.gaussian_filter(x, sigma=(sigma, sigma, 0))
    x = x * rng.uniform(0.92, 1.08) + rng.normal(0.0, rng.uniform(0.0, 6.0), x.shape)
    return np.clip(x + 0.5, 0, 255).astype(np.uint8)


def pixel_samples(data: list[Example], seed: int, per_frame: int = 600, augmented: float = 0.6):
    """Sampled pixels of every frame: features (P, 16), class, purity weight, sky, ground.

    Half of each frame's sample is object pixels, a quarter background next to objects (where the
    boundary is decided), a quarter background anywhere; `augmented` of the frames are blurred,
    noised and re-lit first."""
    rng = np.random.default_rng(seed)
    xs, ys, ws, skies, grounds = [], [], [], [], []
    ring = np.ones((1, 7, 7), bool)
    for ex in data:
        frames = np.stack([_augment(f, rng) if rng.random() < augmented else f for f in ex.frames])
        features = pixel_features(frames)
        near = ndimage.binary_dilation(ex.labels > 0, structure=ring) & (ex.labels == 0)
        for f in range(len(frames)):
            picks = []
            for pool, count in ((ex.labels[f] > 0, per_frame // 2), (near[f], per_frame // 4), (ex.labels[f] == 0, per_frame // 4)):
                flat = np.flatnonzero(pool)
                if len(flat):
                    picks.append(rng.choice(flat, size=min(count, len(flat)), replace=False))
            index = np.concatenate(picks)
            xs.append(features[f].reshape(-1, PIXEL_FEATURES)[index])
            ys.append(ex.labels[f].ravel()[index])
            ws.append(ex.weights[f].ravel()[index])
            skies.append(np.full(len(index), ex.sky))
            grounds.append(np.full(len(index), ex.ground))
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
    Y, S, G = Y.long(), S.long(), G.long()
    net = PixelNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    # Samples over-represent objects (half of each frame's); in frames the background is most pixels,
    # so a background mistake is weighed more to keep the detector from seeing objects everywhere.
    class_weight = torch.ones(1 + len(COLOURS))
    class_weight[0] = 3.0

    def batch_loss() -> torch.Tensor:
        pick = torch.from_numpy(rng.integers(0, len(Y), size=2048))
        loss = torch.nn.functional.cross_entropy(net(X[pick], S[pick], G[pick]), Y[pick], weight=class_weight, reduction="none")
        return (loss * W[pick]).mean()

    fit(optimiser, steps, batch_loss, one_cycle=3e-3, name="pixel", log_every=log_every)
    return net.eval()


# --- ShapeNet ----------------------------------------------------------------------------------------


def blob_examples(detector: Detector, data: list[Example]) -> dict[str, np.ndarray]:
    """Every component PixelNet finds, matched to the object it covers most: ColourNet's features and
    the object's colour, ShapeNet's crop and the object's shape."""
    out: dict[str, list] = {"colour_x": [], "colour_y": [], "crops": [], "extras": [], "shape_y": []}
    for ex in data:
        sky, ground = SKIES[ex.sky], GROUNDS[ex.ground]
        probs = detector.pixel_probs(ex.frames, sky, ground)
        allowed = allowed_colours(sky, ground)
        for f in range(len(ex.frames)):
            reading = detector._components(ex.frames[f], probs[f], sky, ground, allowed)
            background = probs[f].argmax(0) == 0
            for d in reading.detections:
                owners = ex.ids[f][d.pixels[:, 0], d.pixels[:, 1]]
                owners = owners[owners >= 0]
                if len(owners) < 0.5 * d.area:
                    continue
                owner = int(np.bincount(owners).argmax())
                mask = np.zeros(ex.labels.shape[1:], bool)
                mask[d.pixels[:, 0], d.pixels[:, 1]] = True
                out["colour_x"].append(colour_features(ex.frames[f], probs[f], mask, background, sky, ground))
                out["colour_y"].append(int(ex.labels[f][ex.ids[f] == owner][0]) - 1)
                if d.size >= 4:
                    crop, extra = shape_crop(ex.frames[f], reading.labels, d, ex.views[f])
                    out["crops"].append(crop)
                    out["extras"].append(extra)
                    out["shape_y"].append(SHAPES.index(ex.shapes[owner]))
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
        x, e = X[pick].clone(), E[pick].clone()
        flip = torch.from_numpy(rng.random(128) < 0.5)  # Kinema World's shapes look the same mirrored
        x[flip] = x[flip].flip(-1)
        return torch.nn.functional.cross_entropy(net(x, e), Y[pick])

    fit(optimiser, steps, batch_loss, one_cycle=2e-3, name="shape", log_every=log_every)
    return net.eval()


# --- measuring ---------------------------------------------------------------------------------------


def pixel_figures(detector: Detector, data: list[Example]) -> dict:
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
    the right shape (per crop, before any vote over frames)."""
    with torch.inference_mode():
        colours = colour(torch.from_numpy(blobs["colour_x"])).argmax(1).numpy()
        shapes = shape(torch.from_numpy(blobs["crops"]), torch.from_numpy(blobs["extras"])).argmax(1).numpy()
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
    parser.add_argument("--pixel-steps", type=int, default=6000)
    parser.add_argument("--colour-steps", type=int, default=3000)
    parser.add_argument("--shape-steps", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))

    start = time.perf_counter()
    train = examples(args.seed, args.clips)
    val = examples(args.seed + 1000, args.val_clips)
    print(f"rendered {len(train)} + {len(val)} camera clips in {time.perf_counter() - start:.0f} s", flush=True)

    pixel = train_pixel_net(pixel_samples(train, args.seed), args.pixel_steps, args.seed)
    # ColourNet and ShapeNet learn from what PixelNet's components look like, so they are trained on them.
    detector = Detector(networks=Networks(pixel, None, None))
    blobs = blob_examples(detector, train)
    print(f"{len(blobs['colour_y'])} components, {len(blobs['shape_y'])} shape crops", flush=True)
    colour = train_colour_net(blobs["colour_x"], blobs["colour_y"], args.colour_steps, args.seed)
    shape = train_shape_net(blobs["crops"], blobs["extras"], blobs["shape_y"], args.shape_steps, args.seed)
    networks = Networks(pixel, colour, shape)
    figures = {
        "seed": args.seed,
        "clips": args.clips,
        "pixel_steps": args.pixel_steps,
        "colour_steps": args.colour_steps,
        "shape_steps": args.shape_steps,
        "pixel_recall_val": pixel_figures(detector, val),
        "components_val": blob_figures(colour, shape, blob_examples(detector, val)),
        "seconds": round(time.perf_counter() - start),
    }
    save(networks, args.out, figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
