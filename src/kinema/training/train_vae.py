"""Train the causal video VAE on procedurally drawn clips.

    python -m kinema.training.train_vae --out runs/vae --preset s --minutes 25

Phases, top to bottom: 1. config  2. model and optimiser  3. loop (clips drawn on the fly; L1 + a
small KL, bf16 autocast)  4. latent statistics  5. save. The full training pipeline (TOML configs,
resumable checkpoints, torchrun) is issue 4; this script trains the first embedded checkpoint.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from kinema.models.vae import VAE_PRESETS, VideoVAE
from kinema.world import flat


@dataclass(frozen=True)
class VAETrainConfig:
    preset: str = "s"
    batch_size: int = 4
    frames: int = 9  # 1 + 4·2: the first frame alone plus two temporal groups
    crop: int = 64  # fully convolutional: train on crops, run at any size
    lr: float = 3e-4
    warmup_steps: int = 100
    kl_weight: float = 1e-6
    minutes: float = 25.0
    max_steps: int = 1_000_000
    seed: int = 0
    image_fraction: float = 0.1  # share of batches that are single frames, so stills encode well too


def clip_batch(rng: np.random.Generator, batch: int, frames: int, crop: int) -> torch.Tensor:
    """(B, 3, frames, crop, crop) in [-1, 1]: random crops of freshly drawn 128×128 clips."""
    out = np.empty((batch, frames, crop, crop, 3), dtype=np.uint8)
    for i in range(batch):
        scene = flat.sample_scene(rng)
        video = flat.render(scene, 128, 128, frames=33)
        start = int(rng.integers(0, 33 - frames + 1))
        y, x = rng.integers(0, 128 - crop + 1, size=2)
        out[i] = video[start : start + frames, y : y + crop, x : x + crop]
    return torch.from_numpy(out).permute(0, 4, 1, 2, 3).float() / 127.5 - 1.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--preset", default=VAETrainConfig.preset, choices=sorted(VAE_PRESETS))
    parser.add_argument("--minutes", type=float, default=VAETrainConfig.minutes)
    parser.add_argument("--max-steps", type=int, default=VAETrainConfig.max_steps)
    parser.add_argument("--batch-size", type=int, default=VAETrainConfig.batch_size)
    parser.add_argument("--lr", type=float, default=VAETrainConfig.lr)
    parser.add_argument("--init", type=Path, help="continue from the weights in this train_vae folder")
    args = parser.parse_args(argv)
    cfg = VAETrainConfig(preset=args.preset, minutes=args.minutes, max_steps=args.max_steps, batch_size=args.batch_size, lr=args.lr)

    # 1. setup
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    vae = VideoVAE(VAE_PRESETS[cfg.preset])
    previous = {}
    if args.init:
        vae.load_state_dict(load_file(args.init / "vae.safetensors"))
        previous = json.loads((args.init / "vae.json").read_text())
    opt = torch.optim.AdamW(vae.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / cfg.warmup_steps))
    print(f"VAE {cfg.preset}: {vae.num_parameters() / 1e6:.2f}M parameters", flush=True)

    # 2. loop
    log = open(args.out / "loss.csv", "w", newline="")
    writer = csv.writer(log)
    writer.writerow(["step", "seconds", "l1", "kl"])
    start = time.time()
    step = 0
    while step < cfg.max_steps and time.time() - start < cfg.minutes * 60:
        frames = 1 if rng.random() < cfg.image_fraction else cfg.frames
        x = clip_batch(rng, cfg.batch_size, frames, cfg.crop)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            mean, logvar = vae.encode_distribution(x)
            z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
            recon = vae.decoder(z)
        l1 = F.l1_loss(recon.float(), x)
        kl = 0.5 * (mean.float().pow(2) + logvar.float().exp() - 1 - logvar.float()).mean()
        # As in latent diffusion's VAE: the KL summed over the latent against the reconstruction summed
        # over the pixels, i.e. per pixel here. Weighting it per latent element instead made it ~10⁵×
        # stronger and squeezed colour out of the latents.
        loss = l1 + cfg.kl_weight * kl * mean.numel() / x.numel()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        writer.writerow([step, f"{time.time() - start:.1f}", f"{l1.item():.5f}", f"{kl.item():.4f}"])
        if step % 50 == 0:
            log.flush()
            print(f"step {step} l1 {l1.item():.4f} kl {kl.item():.3f} {time.time() - start:.0f}s", flush=True)

    # 3. latent statistics over fresh full-size clips, so the DiT sees unit-variance latents
    vae.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        means = [vae.encode_distribution(clip_batch(rng, 4, 33, 128))[0].float() for _ in range(8)]
    z = torch.cat(means)  # (N, C, t, h, w)
    vae.latent_mean.copy_(z.mean(dim=(0, 2, 3, 4)))
    vae.latent_std.copy_(z.std(dim=(0, 2, 3, 4)))

    # 4. save
    save_file({k: v.contiguous() for k, v in vae.state_dict().items()}, args.out / "vae.safetensors")
    record = {
        "config": vae.config.to_dict(),
        "steps": step + previous.get("steps", 0),
        "seconds": round(time.time() - start) + previous.get("seconds", 0),
        "train": cfg.__dict__,
        "continued_from": previous or None,
    }
    (args.out / "vae.json").write_text(json.dumps(record, indent=2))
    print(f"saved {args.out} after {step} steps", flush=True)


if __name__ == "__main__":
    main()
