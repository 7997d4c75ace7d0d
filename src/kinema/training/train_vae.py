"""Train the causal video VAE on Kinema World: `kinema train vae --config configs/vae-s.toml`.

Phases, top to bottom:

1. set-up: config, processes (torchrun), device and precision, the output folder;
2. data: a pool of clips decoded (or rendered, at any size, on the training device) into memory;
   batches are random crops of `frames` frames — or single frames, a `image_fraction` of the time, so
   stills encode as well as videos;
3. model and optimizer (AdamW, warm-up), resumed from OUT/state when it exists;
4. loop: L1 reconstruction + L1 on spatial gradients (edges) + a small KL, bf16 autocast;
5. latent statistics over whole clips (the per-channel mean and std the DiT's latents are normalised
   with, latent diffusion's "scaling factor"), then OUT/vae.safetensors + OUT/vae.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from kinema.models.vae import VAE_PRESETS, VAEConfig, VideoVAE
from kinema.training import runtime
from kinema.training.config import ConfigError, VAETrainingConfig, load_config
from kinema.training.data import FramePool, to_model_range
from kinema.world.source import WorldSource


def load_trained_vae(folder: Path, device: torch.device | str = "cpu") -> VideoVAE:
    """The VAE a `kinema train vae` run wrote (vae.json + vae.safetensors), frozen, in eval mode."""
    folder = Path(folder)
    for name in ("vae.json", "vae.safetensors"):
        if not (folder / name).is_file():
            raise ConfigError(f"{folder} is not a trained VAE: {name} is missing (run `kinema train vae` first)")
    record = json.loads((folder / "vae.json").read_text())
    vae = VideoVAE(VAEConfig(**record["config"]))
    vae.load_state_dict(load_file(folder / "vae.safetensors"))
    return vae.to(device).eval().requires_grad_(False)


def vae_loss(model, x: torch.Tensor, eps: torch.Tensor, config: VAETrainingConfig, autocast: bool) -> tuple[torch.Tensor, dict]:
    """model: the VAE, or its DDP wrapper; eps: posterior noise of the VAE's `latent_shape`."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=autocast):
        recon, mean, logvar = model(x, eps)
    recon = recon.float()
    l1 = F.l1_loss(recon, x)
    # Edges: differences between neighbouring pixels must match too.
    grad = F.l1_loss(recon.diff(dim=-1), x.diff(dim=-1)) + F.l1_loss(recon.diff(dim=-2), x.diff(dim=-2))
    mean, logvar = mean.float(), logvar.float()
    kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
    # As in latent diffusion's VAE: the KL summed over the latent against the reconstruction summed
    # over the pixels, i.e. weighted per pixel here.
    loss = l1 + config.loss.gradient_weight * grad + config.loss.kl_weight * kl * mean.numel() / x.numel()
    return loss, {"l1": float(l1.detach()), "kl": float(kl.detach())}


@torch.no_grad()
def latent_statistics(vae: VideoVAE, pool: FramePool, autocast: bool, clips: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std of the latent means of whole clips."""
    means = []
    frames = pool.frames[:clips]
    T = 1 + (frames.shape[1] - 1) // vae.config.temporal_factor * vae.config.temporal_factor
    for k in range(0, len(frames), 8):
        x = to_model_range(frames[k : k + 8, :T])
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=autocast):
            means.append(vae.encode_distribution(x)[0].float())
    z = torch.cat(means)
    return z.mean(dim=(0, 2, 3, 4)), z.std(dim=(0, 2, 3, 4))


def train(config: VAETrainingConfig) -> Path:
    # 1. set-up
    tc = config.train
    run = runtime.start_run(tc)
    processes, device, autocast, out, log, started = run.processes, run.device, run.autocast, run.out, run.log, run.started

    # 2. data
    source = WorldSource(config.data.world)
    clips = list(range(min(len(source), config.data.pool_clips)))
    pool = FramePool(source, clips, config.data.size, device, config.data.supersample)
    log(f"data: {len(clips)} clips of {tuple(pool.frames.shape[1:4])} (T, H, W) in memory, {time.time() - started:.0f} s")

    # 3. model
    if config.model.preset not in VAE_PRESETS:
        raise SystemExit(f"kinema: error: model.preset {config.model.preset!r} is not one of {', '.join(VAE_PRESETS)}")
    vae = VideoVAE(VAE_PRESETS[config.model.preset]).to(device)
    model = runtime.parallelize(vae, processes, tc.parallel, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.optim.lr, betas=config.optim.betas, weight_decay=config.optim.weight_decay)
    scheduler = runtime.warmup_schedule(optimizer, config.optim.warmup_steps)
    generator = torch.Generator().manual_seed(tc.seed)
    step = 0
    state = out / "state"
    if tc.resume and (state / "state.json").exists():
        saved = runtime.load_state(state, model=model, ema=None, optimizer=optimizer, scheduler=scheduler, generators={"data": generator}, device=device)
        step = saved["step"]
        log(f"resumed from {state} at step {step}")
    log(f"VAE {config.model.preset}: {vae.num_parameters() / 1e6:.2f}M parameters on {device}, bf16 {autocast}")

    def save() -> None:
        weights, optimizer_state = runtime.gather_state(model, optimizer)  # every process: gathers FSDP shards
        if processes.main:
            runtime.save_state(state, weights=weights, optimizer_state=optimizer_state, ema=None, scheduler=scheduler, step=step,
                               position={"epoch": 0, "batch": step}, generators={"data": generator}, config=asdict(config))
        processes.barrier()

    # 4. loop
    losses = runtime.LossLog(out, ["loss", "l1", "kl"], resume=step > 0) if processes.main else None
    mine = processes.slice(tc.batch_size)
    deadline = started + tc.minutes * 60
    while step < tc.max_steps and time.time() < deadline:
        single = torch.rand(1, generator=generator).item() < config.data.image_fraction
        x = pool.crops(generator, tc.batch_size, 1 if single else config.data.frames, config.data.crop)
        eps = torch.randn(vae.latent_shape(x.shape), generator=generator)
        loss, parts = vae_loss(model, x[mine].to(device), eps[mine].to(device), config, autocast)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.optim.grad_clip)
        optimizer.step()
        scheduler.step()
        step += 1
        if losses is not None:
            losses.write(step, time.time() - started, [float(loss.detach()), parts["l1"], parts["kl"]])
            if step % tc.log_every == 0:
                losses.flush()
                log(f"step {step} loss {float(loss):.4f} l1 {parts['l1']:.4f} kl {parts['kl']:.2f} {time.time() - started:.0f} s", flush=True)
        if step % tc.save_every == 0:
            save()

    # 5. statistics and save
    save()
    if processes.main:
        losses.close()
        vae.eval()
        mean, std = latent_statistics(vae, pool, autocast)
        vae.latent_mean.copy_(mean)
        vae.latent_std.copy_(std)
        save_file({k: v.detach().cpu().contiguous() for k, v in runtime.full_state_dict(vae).items()}, out / "vae.safetensors")
        record = {
            "config": vae.config.to_dict(),
            "steps": step,
            "seconds": round(time.time() - started),
            "data": {"world": config.data.world, "clips": len(clips), "size": config.data.size},
            "command": " ".join(sys.argv) or "kinema train vae",
            "commit": runtime.git_commit(),
            "train": asdict(config),
        }
        (out / "vae.json").write_text(json.dumps(record, indent=2))
        log(f"saved {out} after {step} steps ({time.time() - started:.0f} s)")
    processes.barrier()
    processes.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinema train vae", description="Train the causal video VAE on Kinema World.")
    parser.add_argument("--config", type=Path, help="TOML config (configs/vae-s.toml)")
    parser.add_argument("overrides", nargs="*", help="section.key=value")
    args = parser.parse_args(argv)
    train(load_config(VAETrainingConfig, args.config, args.overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
