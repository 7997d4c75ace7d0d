"""Train the diffusion transformer on cached VAE latents of procedurally drawn clips.

    python -m kinema.training.train_dit --vae runs/vae --out runs/dit --clips 2000 --minutes 60

Phases, top to bottom:
1. data: draw clips, encode them with the trained VAE once and their captions with the text encoder
   once, and keep both in memory (a cache file makes reruns skip this);
2. model, optimiser (AdamW, warm-up), EMA weights;
3. loop: rectified-flow loss at logit-normal, resolution-shifted times, bf16 autocast; captions
   dropped to the empty prompt 10 % of the time (classifier-free guidance), and known frames given
   as clean latents with a mask 30 % of the time (what long-video windows and later image-to-video
   and extension need), the loss counted on the unknown frames only;
4. every `--save-every` steps and at the end: a complete Kinema checkpoint of the EMA weights.

The full pipeline (TOML configs, bucketing, exact resume, torchrun) is issue 4's.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from kinema.checkpoint import ModelConfig, SamplingDefaults, save_checkpoint
from kinema.diffusion.flow import flow_loss, interpolate, resolution_shift, sample_timesteps, velocity_target
from kinema.models.dit import DIT_PRESETS, DiT
from kinema.models.text import MiniLMEncoder, TextConfig
from kinema.models.vae import VAEConfig, VideoVAE
from kinema.world import flat


@dataclass(frozen=True)
class DiTTrainConfig:
    preset: str = "s"
    clips: int = 2000
    frames: int = 33  # 4 s at 8 fps, rounded up to 1 + 4k: one generation window
    size: int = 128
    batch_size: int = 8
    lr: float = 3e-4
    warmup_steps: int = 200
    ema_decay: float = 0.999
    caption_dropout: float = 0.1
    known_frames_probability: float = 0.3
    minutes: float = 60.0
    max_steps: int = 1_000_000
    save_every: int = 500
    seed: int = 0


def load_vae(folder: Path) -> VideoVAE:
    record = json.loads((folder / "vae.json").read_text())
    vae = VideoVAE(VAEConfig(**record["config"]))
    vae.load_state_dict(load_file(folder / "vae.safetensors"))
    return vae.eval().requires_grad_(False)


@torch.inference_mode()
def build_cache(cfg: DiTTrainConfig, vae: VideoVAE, text: MiniLMEncoder, path: Path) -> dict:
    """Latents (N, C, t, h, w) and caption embeddings for `cfg.clips` freshly drawn clips."""
    if path.exists():
        return torch.load(path)
    rng = np.random.default_rng(cfg.seed)
    latents, captions = [], []
    start = time.time()
    for i in range(0, cfg.clips, 4):
        scenes = [flat.sample_scene(rng) for _ in range(min(4, cfg.clips - i))]
        video = np.stack([flat.render(s, cfg.size, cfg.size, cfg.frames) for s in scenes])  # (B, T, H, W, 3)
        x = torch.from_numpy(video).permute(0, 4, 1, 2, 3).float() / 127.5 - 1.0
        with torch.autocast("cpu", dtype=torch.bfloat16):
            latents.append(vae.encode(x).float())
        captions.extend(flat.captions(s, rng) for s in scenes)
        if i % 200 == 0:
            print(f"cached {i + len(scenes)}/{cfg.clips} clips, {time.time() - start:.0f}s", flush=True)
    flat_captions = [c for cs in captions for c in cs] + [""]
    embeddings = [text.encode(flat_captions[j : j + 64]) for j in range(0, len(flat_captions), 64)]
    width = max(e.tokens.shape[1] for e in embeddings)
    tokens = torch.cat([torch.nn.functional.pad(e.tokens, (0, 0, 0, width - e.tokens.shape[1])) for e in embeddings])
    mask = torch.cat([torch.nn.functional.pad(e.mask, (0, width - e.mask.shape[1])) for e in embeddings])
    cache = {
        "latents": torch.cat(latents),
        "tokens": tokens.half(),
        "mask": mask,
        "captions_per_clip": len(captions[0]),
        "captions": flat_captions,
    }
    torch.save(cache, path)
    return cache


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vae", type=Path, required=True, help="folder written by train_vae")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--name", default="kinema-s")
    parser.add_argument("--preset", default=DiTTrainConfig.preset, choices=sorted(DIT_PRESETS))
    parser.add_argument("--clips", type=int, default=DiTTrainConfig.clips)
    parser.add_argument("--minutes", type=float, default=DiTTrainConfig.minutes)
    parser.add_argument("--max-steps", type=int, default=DiTTrainConfig.max_steps)
    parser.add_argument("--batch-size", type=int, default=DiTTrainConfig.batch_size)
    parser.add_argument("--save-every", type=int, default=DiTTrainConfig.save_every)
    args = parser.parse_args(argv)
    cfg = DiTTrainConfig(
        preset=args.preset,
        clips=args.clips,
        minutes=args.minutes,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        save_every=args.save_every,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed + 1)

    # 1. data
    vae = load_vae(args.vae)
    text = MiniLMEncoder()
    cache = build_cache(cfg, vae, text, args.out / f"cache-{cfg.clips}.pt")
    latents, tokens, mask = cache["latents"], cache["tokens"], cache["mask"]
    per_clip = cache["captions_per_clip"]
    empty = len(cache["captions"]) - 1  # index of the empty caption
    N, C, T, h, w = latents.shape
    print(f"data: {N} clips, latents {tuple(latents.shape[1:])}, std {latents.std():.3f}", flush=True)

    # 2. model
    dit_cfg = DIT_PRESETS[cfg.preset]
    dit = DiT(dit_cfg)
    ema = copy.deepcopy(dit).requires_grad_(False)
    opt = torch.optim.AdamW(dit.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / cfg.warmup_steps))
    pt, ph, pw = dit_cfg.patch_size
    shift = resolution_shift((T // pt) * (h // ph) * (w // pw))
    model_config = ModelConfig(
        name=args.name,
        vae=vae.config,
        dit=dit_cfg,
        text=TextConfig(),
        sampling=SamplingDefaults(size=f"{cfg.size}x{cfg.size}", sizes=(f"{cfg.size}x{cfg.size}",), window_latent_frames=T),
        description="Kinema's small native model, trained briefly on Flat World clips (coloured shapes on grounds under skies).",
    )
    print(f"DiT {cfg.preset}: {dit.num_parameters() / 1e6:.2f}M parameters, shift {shift:.2f}", flush=True)

    # 3. loop
    log_file = open(args.out / "loss.csv", "w", newline="")
    log = csv.writer(log_file)
    log.writerow(["step", "seconds", "loss"])
    start = time.time()
    step = 0

    def save():
        record = {"steps": step, "samples": step * cfg.batch_size, "seconds": round(time.time() - start), "clips": N, "train": cfg.__dict__}
        config = ModelConfig(**{**model_config.__dict__, "training": record})
        save_checkpoint(args.out / "checkpoint", config, vae, ema)

    while step < cfg.max_steps and time.time() - start < cfg.minutes * 60:
        idx = torch.from_numpy(rng.integers(0, N, size=cfg.batch_size))
        caption = idx * per_clip + torch.from_numpy(rng.integers(0, per_clip, size=cfg.batch_size))
        caption = torch.where(torch.from_numpy(rng.random(cfg.batch_size) < cfg.caption_dropout), empty, caption)
        x0 = latents[idx]
        text_tokens, text_mask = tokens[caption].float(), mask[caption]
        width = int(text_mask.sum(1).max())
        text_tokens, text_mask = text_tokens[:, :width], text_mask[:, :width]

        known_mask = torch.zeros(cfg.batch_size, 1, T, 1, 1)
        for b in range(cfg.batch_size):
            if rng.random() < cfg.known_frames_probability:
                known_mask[b, :, : int(rng.integers(1, 3))] = 1.0

        noise = torch.randn_like(x0)
        t = sample_timesteps(cfg.batch_size, shift=shift)
        xt = interpolate(x0, noise, t)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            v = dit(xt, t, text_tokens, text_mask, x0, known_mask)
        loss = flow_loss(v, velocity_target(x0, noise), weight=1.0 - known_mask)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dit.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        with torch.no_grad():
            decay = min(cfg.ema_decay, (1 + step) / (10 + step))
            for p_ema, p in zip(ema.parameters(), dit.parameters()):
                p_ema.lerp_(p, 1 - decay)
        log.writerow([step, f"{time.time() - start:.1f}", f"{loss.item():.5f}"])
        if step % 50 == 0:
            log_file.flush()
            print(f"step {step} loss {loss.item():.4f} {time.time() - start:.0f}s", flush=True)
        if step % cfg.save_every == 0:
            save()

    # 4. save
    save()
    print(f"saved {args.out / 'checkpoint'} after {step} steps", flush=True)


if __name__ == "__main__":
    main()
