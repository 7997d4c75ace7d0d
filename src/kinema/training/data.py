"""Training data from Kinema World: frames for the VAE, cached latents and captions for the DiT.

- `FramePool` (VAE): clips decoded or rendered once into memory (on the training device), from which
  random temporal and spatial crops are drawn.
- `LatentCache` (DiT): every clip encoded once by the trained VAE — at one of the configured sizes,
  in turn, so one run trains square, landscape and portrait — and every caption encoded once by the
  text encoder; per latent frame, the camera features and the storyboard shot. Built in chunks with
  an optional time budget, saved to disk, reused on resume.
- `epoch_plan`: the batches of an epoch, a pure function of (seed, epoch), so the data position is
  just (epoch, batch) and a resumed run sees exactly the batches it would have seen. Batches are
  bucketed: all windows in a batch share (latent frames, height, width), and one epoch mixes every
  size and length.

A clip's causal latents make windows cheap: the latents of a clip's first 4k + 1 frames are its
first k + 1 latent frames, and a window from later in the clip is what the engine's later windows
of a long video look like — so both come from slicing one cached tensor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from kinema.conditioning import camera_features, shot_indices
from kinema.engines.base import parse_size
from kinema.world.source import WorldSource, render_clips


def to_model_range(frames: torch.Tensor) -> torch.Tensor:
    """(…, T, H, W, 3) uint8 → (…, 3, T, H, W) float in [-1, 1]."""
    x = frames.float() / 127.5 - 1.0
    return x.movedim(-1, -4)


# --- the VAE's frames ------------------------------------------------------------------------------------


class FramePool:
    """Clips held in memory as uint8 (N, T, H, W, 3) on `device`, to crop training batches from."""

    def __init__(self, source: WorldSource, clips: list[int], size: str, device: torch.device, supersample: int = 2):
        width, height = parse_size(size)
        frames = []
        for start in range(0, len(clips), 16):
            items = [(i, int(np.random.default_rng(i).integers(source.views(i)))) for i in clips[start : start + 16]]
            frames.extend(render_clips(source, items, width, height, device, supersample))
        self.frames = torch.stack(frames)  # (N, T, H, W, 3)

    def crops(self, generator: torch.Generator, batch: int, frames: int, crop: int) -> torch.Tensor:
        """(batch, 3, frames, crop, crop) in [-1, 1]: random clips, start frames and positions."""
        N, T, H, W, _ = self.frames.shape
        if frames > T or crop > min(H, W):
            raise ValueError(f"a {frames}-frame {crop}×{crop} crop does not fit clips of {T} frames at {W}×{H}")
        pick = torch.randint(0, N, (batch,), generator=generator)
        t0 = torch.randint(0, T - frames + 1, (batch,), generator=generator)
        y0 = torch.randint(0, H - crop + 1, (batch,), generator=generator)
        x0 = torch.randint(0, W - crop + 1, (batch,), generator=generator)
        out = torch.stack(
            [self.frames[n, t : t + frames, y : y + crop, x : x + crop] for n, t, y, x in zip(pick.tolist(), t0.tolist(), y0.tolist(), x0.tolist())]
        )
        return to_model_range(out)


# --- the DiT's latents ----------------------------------------------------------------------------------


@dataclass
class Item:
    """One (clip, view) video in the cache."""

    clip: int
    view: int
    group: int  # which size group
    row: int  # row in that group's latent tensor
    detailed: list[int]  # caption ids
    short: list[int]


@dataclass
class LatentCache:
    sizes: list[str]
    latents: list[torch.Tensor]  # per size group: (M, C, T', h, w) float16
    cameras: list[torch.Tensor]  # per size group: (M, T', 8) float32
    shots: list[torch.Tensor]  # per size group: (M, T') long
    items: list[Item]
    views: dict[int, list[int]]  # clip → item indices of its views (multi-view clips only)
    tokens: torch.Tensor  # (captions + 1, L, D) float16; the last caption is the empty prompt
    mask: torch.Tensor  # (captions + 1, L) bool
    captions: list[str]

    @property
    def empty_caption(self) -> int:
        return len(self.captions) - 1

    def to(self, device: torch.device) -> LatentCache:
        move = lambda ts: [t.to(device) for t in ts]  # noqa: E731
        return LatentCache(
            self.sizes, move(self.latents), move(self.cameras), move(self.shots), self.items, self.views,
            self.tokens.to(device), self.mask.to(device), self.captions,
        )

    def save(self, path: Path) -> None:
        temp = Path(path).with_name(Path(path).name + ".part")
        torch.save(self.to(torch.device("cpu")).__dict__, temp)
        temp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LatentCache:
        return cls(**torch.load(path, map_location="cpu", weights_only=False))


@torch.no_grad()
def build_latent_cache(
    source: WorldSource,
    vae,
    text_encoder,
    sizes: tuple[str, ...],
    device: torch.device,
    autocast: bool,
    max_clips: int = 0,
    supersample: int = 2,
    seconds: float = 0.0,
    log=print,
) -> LatentCache:
    """Render (or decode) and encode clips, round-robin over `sizes`; stops early after `seconds` if > 0."""
    start = time.perf_counter()
    count = min(len(source), max_clips) if max_clips else len(source)
    temporal = vae.config.temporal_factor
    groups: list[list[torch.Tensor]] = [[] for _ in sizes]
    cams: list[list[torch.Tensor]] = [[] for _ in sizes]
    shots: list[list[torch.Tensor]] = [[] for _ in sizes]
    items: list[Item] = []
    views: dict[int, list[int]] = {}
    captions: dict[str, int] = {}

    def caption_ids(texts: list[str]) -> list[int]:
        return [captions.setdefault(t, len(captions)) for t in texts]

    chunk = 16
    done = 0
    members = [list(range(g, count, len(sizes))) for g in range(len(sizes))]  # clip i is encoded at size i mod n
    for r in range(max(-(-len(m) // chunk) for m in members)):
        if seconds and time.perf_counter() - start > seconds:
            log(f"latent cache: time budget reached after {done} clips")
            break
        for g, size in enumerate(sizes):
            clips = members[g][r * chunk : (r + 1) * chunk]
            if not clips:
                continue
            pairs = [(c, v) for c in clips for v in range(source.views(c))]
            width, height = parse_size(size)
            videos = torch.stack(render_clips(source, pairs, width, height, device, supersample))  # (n, T, H, W, 3)
            latents = []
            for k in range(0, len(videos), 8):
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
                    latents.append(vae.encode(to_model_range(videos[k : k + 8])).to(torch.float16))
            for (c, v), z in zip(pairs, torch.cat(latents)):
                record = source.record(c)
                row = len(groups[g])
                groups[g].append(z)
                cams[g].append(torch.from_numpy(camera_features(source.poses(c)[v], temporal)))
                cuts = [s["at_second"] for s in record["scene"].get("shots", [])]
                shots[g].append(torch.from_numpy(shot_indices(cuts, record["frames"], record["fps"], temporal)))
                text = record["captions"][v]
                items.append(Item(c, v, g, row, caption_ids(text["detailed"]), caption_ids(text["short"])))
                if len(record["captions"]) > 1:
                    views.setdefault(c, []).append(len(items) - 1)
            done += len(clips)
        if done and done % (chunk * len(sizes) * 8) == 0:
            log(f"latent cache: {done}/{count} clips, {time.perf_counter() - start:.0f} s")

    texts = list(captions) + [""]
    tokens, mask = encode_texts(text_encoder, texts)
    log(f"latent cache: {len(items)} videos from {done} clips, {len(texts)} captions, {time.perf_counter() - start:.0f} s")
    return LatentCache(
        sizes=list(sizes),
        latents=[torch.stack(g) if g else torch.empty(0) for g in groups],
        cameras=[torch.stack(c) if c else torch.empty(0) for c in cams],
        shots=[torch.stack(s) if s else torch.empty(0, dtype=torch.long) for s in shots],
        items=items,
        views=views,
        tokens=tokens,
        mask=mask,
        captions=texts,
    )


def encode_texts(text_encoder, texts: list[str], batch: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """All texts → (N, L, D) float16 token embeddings padded to the longest, and (N, L) masks."""
    parts = [text_encoder.encode(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    width = max(p.tokens.shape[1] for p in parts)
    tokens = torch.cat([torch.nn.functional.pad(p.tokens, (0, 0, 0, width - p.tokens.shape[1])) for p in parts])
    mask = torch.cat([torch.nn.functional.pad(p.mask, (0, width - p.mask.shape[1])) for p in parts])
    return tokens.to(torch.float16), mask


# --- batches ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedBatch:
    group: int
    length: int  # latent frames per view
    multiview: bool
    items: tuple[int, ...]  # item indices; for multi-view, the first view of each pair (the pair is drawn in the loop)


def epoch_plan(cache: LatentCache, batch_size: int, lengths: tuple[int, ...], weights: tuple[float, ...], multiview_fraction: float, seed: int, epoch: int) -> list[PlannedBatch]:
    """Every batch of one epoch, in order: each video once in a single-view batch, plus multi-view batches."""
    rng = np.random.default_rng([seed, epoch])
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    plan: list[PlannedBatch] = []
    for g in range(len(cache.sizes)):
        members = [i for i, item in enumerate(cache.items) if item.group == g]
        rng.shuffle(members)
        for k in range(0, len(members) - batch_size + 1, batch_size):
            plan.append(PlannedBatch(g, int(rng.choice(lengths, p=p)), False, tuple(members[k : k + batch_size])))
        clips = [c for c, ids in cache.views.items() if cache.items[ids[0]].group == g and len(ids) > 1]
        rng.shuffle(clips)
        pairs = int(round(multiview_fraction * len(clips)))
        firsts = [cache.views[c][0] for c in clips[:pairs]]
        for k in range(0, len(firsts) - batch_size + 1, batch_size):
            length = int(rng.choice([l for l in lengths if l > 1] or lengths))
            plan.append(PlannedBatch(g, length, True, tuple(firsts[k : k + batch_size])))
    order = rng.permutation(len(plan))
    return [plan[i] for i in order]
