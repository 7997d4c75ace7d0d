"""Train the diffusion transformer on Kinema World: `kinema train dit --config configs/dit-s.toml`.

Phases, top to bottom (nanoGPT's train.py reads the same way):

1. set-up: config, processes (torchrun), device and precision, the output folder;
2. data: the trained VAE, the text encoder, and the latent cache (every clip encoded once, every
   caption embedded once; built by the main process, shared through the output folder);
3. model: the DiT, its EMA weights, AdamW with warm-up; resumed from OUT/state when it exists;
4. loop: bucketed batches from the epoch plan; per window a conditioning task — plain text-to-video,
   a continuation of the previous window (its first latent frames known: how long videos are made),
   image-to-video, extension forward or backward, connection — plus caption dropout for classifier-free
   guidance, the storyboard shot, the view and (half the time) the camera of every latent frame;
   rectified-flow loss on the unknown frames at logit-normal, resolution-shifted times;
5. every `save_every` steps and at the end: the resumable state; at the end, a Kinema checkpoint of
   the EMA weights (config.json + model.safetensors) with its training record, samples, the loss curve.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from kinema.checkpoint import ModelConfig, SamplingDefaults, save_checkpoint
from kinema.diffusion.flow import interpolate, resolution_shift, sample_timesteps, velocity_target
from kinema.models.dit import DIT_PRESETS, DiT
from kinema.models.text import MiniLMEncoder, TextConfig
from kinema.training import runtime
from kinema.training.config import DiTTrainingConfig, load_config
from kinema.training.data import LatentCache, PlannedBatch, build_latent_cache, epoch_plan
from kinema.training.train_vae import load_trained_vae
from kinema.world.source import WorldSource


def make_batch(cache: LatentCache, planned: PlannedBatch, config: DiTTrainingConfig, g: torch.Generator) -> dict:
    """The global batch for one planned step; every random draw comes from `g`, in a fixed order."""
    cond = config.conditioning
    B, L, group = len(planned.items), planned.length, planned.group
    latents = cache.latents[group]
    full = latents.shape[2]
    items = [cache.items[i] for i in planned.items]

    def uniform(n: int = B) -> torch.Tensor:
        return torch.rand(n, generator=g)

    # 1. where each window starts: the clip's start, or later (a continuation)
    offsets = torch.zeros(B, dtype=torch.long)
    if L > 1 and full > L:
        later = uniform() < cond.continuation_fraction
        offsets = torch.where(later, torch.randint(1, full - L + 1, (B,), generator=g), offsets)
    views = [[it] for it in items]
    if planned.multiview:  # a second camera of the same moment
        for k, it in enumerate(items):
            others = [cache.items[j] for j in cache.views[it.clip] if cache.items[j].view != it.view]
            views[k].append(others[int(torch.randint(len(others), (1,), generator=g))])

    x0 = torch.stack([torch.cat([latents[v.row, :, int(o) : int(o) + L] for v in vs], dim=1) for vs, o in zip(views, offsets)])
    camera = torch.stack([torch.cat([cache.cameras[group][v.row, int(o) : int(o) + L] for v in vs]) for vs, o in zip(views, offsets)])
    shot = torch.stack([torch.cat([cache.shots[group][v.row, int(o) : int(o) + L] for v in vs]) for vs, o in zip(views, offsets)])
    view = torch.stack([torch.cat([torch.full((L,), v.view, dtype=torch.long) for v in vs]) for vs in views])
    T = x0.shape[2]
    time_positions = torch.arange(L).repeat(len(views[0]))

    # 2. which frames are known
    known = torch.zeros(B, 1, T, 1, 1)
    task = uniform()
    for b in range(B):
        if L == 1:
            continue
        if offsets[b] > 0:
            known[b, :, : min(cond.overlap, L - 1)] = 1.0
            continue
        edges = np.cumsum([cond.image_to_video, cond.extend_forward, cond.extend_backward, cond.connect])
        k = max(1, int(torch.randint(1, max(2, L // 2 + 1), (1,), generator=g)))
        if task[b] < edges[0]:
            known[b, :, :1] = 1.0
        elif task[b] < edges[1]:
            known[b, :, : min(k + 1, L - 1)] = 1.0
        elif task[b] < edges[2]:
            known[b, :, L - k :] = 1.0
        elif task[b] < edges[3]:
            known[b, :, :1] = 1.0
            known[b, :, L - 1 :] = 1.0
    if planned.multiview:  # the same frames are known in both views
        known[:, :, L:] = known[:, :, :L]

    # 3. text, and what the camera is told
    detailed = uniform() < cond.detailed_fraction
    ids = []
    for b, it in enumerate(items):
        pool = it.detailed if detailed[b] else it.short
        ids.append(pool[int(torch.randint(len(pool), (1,), generator=g))])
    ids = torch.tensor(ids)
    ids = torch.where(uniform() < cond.caption_dropout, torch.full_like(ids, cache.empty_caption), ids)
    withheld = (uniform() < cond.camera_dropout).to(camera.device)
    camera = torch.where(withheld[:, None, None], torch.zeros_like(camera), camera)

    # 4. noise and times
    x0 = x0.float()
    noise = torch.randn(x0.shape, generator=g)
    tokens = (T // 1) * (x0.shape[3] // 2) * (x0.shape[4] // 2)
    t = sample_timesteps(B, shift=resolution_shift(tokens), generator=g)
    return {
        "x0": x0, "noise": noise, "t": t, "known": known, "text_ids": ids, "camera": camera,
        "shot": shot.clamp_max(7), "view": view.clamp_max(7), "time_positions": time_positions,
    }


def batch_loss(model, cache: LatentCache, batch: dict, device: torch.device, autocast: bool) -> torch.Tensor:
    """Mean over windows of the mean squared velocity error on each window's unknown frames."""
    x0, noise, t, known = (batch[k].to(device) for k in ("x0", "noise", "t", "known"))
    ids = batch["text_ids"].to(cache.tokens.device)
    text, mask = cache.tokens[ids], cache.mask[ids]
    width = int(mask.sum(1).max())
    text, mask = text[:, :width].to(device).float(), mask[:, :width].to(device)
    xt = interpolate(x0, noise, t)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
        v = model(
            xt, t, text, mask, x0, known,
            time_positions=batch["time_positions"].to(device),
            view=batch["view"].to(device),
            shot=batch["shot"].to(device),
            camera=batch["camera"].to(device),
        )
    error = (v.float() - velocity_target(x0, noise)).pow(2).mean(dim=(1, 3, 4), keepdim=True)  # (B, 1, T, 1, 1)
    unknown = 1.0 - known
    per_window = (error * unknown).sum(dim=(1, 2, 3, 4)) / unknown.sum(dim=(1, 2, 3, 4)).clamp_min(1.0)
    return per_window.mean()


def model_config(config: DiTTrainingConfig, vae, dit_cfg, record: dict) -> ModelConfig:
    longest = max(config.data.lengths)
    temporal = vae.config.temporal_factor
    return ModelConfig(
        name=config.model.name,
        vae=vae.config,
        dit=dit_cfg,
        text=TextConfig(),
        sampling=SamplingDefaults(
            size=config.data.sizes[0],
            sizes=tuple(config.data.sizes),
            fps=8.0,
            seconds=(longest - 1) * temporal / 8.0,
            window_latent_frames=longest,
            window_overlap=config.conditioning.overlap,
        ),
        description=config.model.description,
        training=record,
    )


def write_samples(engine, prompts, folder: Path, step: int, seed: int = 0) -> list[Path]:
    """One video per prompt (MP4 with PyAV, a PNG strip of frames without it)."""
    from PIL import Image

    from kinema.engines.base import VideoRequest

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, prompt in enumerate(prompts):
        frames = engine.frames(VideoRequest(prompt=prompt, seed=seed + k, steps=24))
        try:
            from kinema.video import write_video

            paths.append(write_video(folder / f"step{step:07d}-{k}.mp4", frames, engine.config.sampling.fps))
        except ImportError:
            strip = np.concatenate(list(frames[:: max(1, len(frames) // 8)]), axis=1)
            path = folder / f"step{step:07d}-{k}.png"
            Image.fromarray(strip).save(path)
            paths.append(path)
    return paths


def train(config: DiTTrainingConfig) -> Path:
    # 1. set-up
    cfg, tc = config, config.train
    run = runtime.start_run(tc)
    processes, device, autocast, out, log, started = run.processes, run.device, run.autocast, run.out, run.log, run.started

    # 2. data
    vae = load_trained_vae(Path(cfg.model.vae), device)
    cache_path = out / "cache.pt"
    text_encoder, cache = None, None
    if processes.world > 1 and not cfg.data.save_cache:
        raise SystemExit("kinema: error: data.save_cache must be true under torchrun (the processes share the cache file)")
    if processes.main and not cache_path.exists():
        source = WorldSource(cfg.data.world)
        text_encoder = MiniLMEncoder(TextConfig(), device=device, path=Path(cfg.model.text_encoder_path) if cfg.model.text_encoder_path else None)
        cache = build_latent_cache(
            source, vae, text_encoder, cfg.data.sizes, device, autocast, cfg.data.max_clips, cfg.data.supersample,
            cfg.data.render_seconds, log=log,
        )
        if cfg.data.save_cache:
            cache.save(cache_path)
    processes.barrier()
    cache = (cache if cache is not None else LatentCache.load(cache_path)).to(device)
    log(f"data: {len(cache.items)} videos in {len(cache.sizes)} sizes, {len(cache.captions)} captions")

    # 3. model
    dit_cfg = replace(DIT_PRESETS[cfg.model.preset], text_dim=cache.tokens.shape[-1])
    dit = DiT(dit_cfg).to(device)
    dit.activation_checkpointing = tc.activation_checkpointing
    model = runtime.parallelize(dit, processes, tc.parallel, device)
    ema = {k: v.detach().clone() for k, v in runtime.full_state_dict(model).items()}
    ema = {k: v.to(device) for k, v in ema.items()}
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.optim.lr, betas=cfg.optim.betas, weight_decay=cfg.optim.weight_decay)
    scheduler = runtime.warmup_schedule(optimizer, cfg.optim.warmup_steps)
    generator = torch.Generator().manual_seed(tc.seed)
    step, epoch, position = 0, 0, 0
    state = out / "state"
    if tc.resume and (state / "state.json").exists():
        saved = runtime.load_state(state, model=model, ema=ema, optimizer=optimizer, scheduler=scheduler, generators={"data": generator}, device=device)
        step, epoch, position = saved["step"], saved["position"]["epoch"], saved["position"]["batch"]
        log(f"resumed from {state} at step {step}")
    call = torch.compile(model) if tc.compile else model
    log(f"DiT {cfg.model.preset}: {dit.num_parameters() / 1e6:.2f}M parameters on {device}, bf16 {autocast}, {processes.world} process(es)")

    def save() -> None:
        weights, optimizer_state = runtime.gather_state(model, optimizer)  # every process: gathers FSDP shards
        if processes.main:
            runtime.save_state(
                state, weights=weights, optimizer_state=optimizer_state, ema=ema, scheduler=scheduler, step=step,
                position={"epoch": epoch, "batch": position}, generators={"data": generator}, config=asdict(cfg),
            )
        processes.barrier()

    # 4. loop
    losses = runtime.LossLog(out, ["loss"], resume=step > 0) if processes.main else None
    mine = processes.slice(tc.batch_size)
    deadline = started + tc.minutes * 60
    plan = epoch_plan(cache, tc.batch_size, cfg.data.lengths, cfg.data.length_weights, cfg.data.multiview_fraction, tc.seed, epoch)
    if not plan:
        raise SystemExit(f"kinema: error: no full batch of {tc.batch_size} in {len(cache.items)} videos; lower train.batch_size")
    loop_start, loop_step0 = time.time(), step
    while step < tc.max_steps and time.time() < deadline:
        if position >= len(plan):
            epoch, position = epoch + 1, 0
            plan = epoch_plan(cache, tc.batch_size, cfg.data.lengths, cfg.data.length_weights, cfg.data.multiview_fraction, tc.seed, epoch)
        batch = make_batch(cache, plan[position], cfg, generator)
        batch = {k: (v[mine] if k != "time_positions" else v) for k, v in batch.items()}
        loss = batch_loss(call, cache, batch, device, autocast)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
        optimizer.step()
        scheduler.step()
        step, position = step + 1, position + 1
        if cfg.optim.ema_decay > 0:
            runtime.ema_update(ema, model, cfg.optim.ema_decay, step)
        if losses is not None:
            value = loss.detach()
            if processes.world > 1:
                torch.distributed.all_reduce(value)
                value /= processes.world
            losses.write(step, time.time() - started, [float(value)])
            if step % tc.log_every == 0:
                losses.flush()
                rate = (step - loop_step0) * tc.batch_size / max(1e-9, time.time() - loop_start)
                log(f"step {step} epoch {epoch} loss {float(value):.4f} {rate:.0f} windows/s {time.time() - started:.0f} s", flush=True)
        elif processes.world > 1:
            value = loss.detach()
            torch.distributed.all_reduce(value)
        if step % tc.save_every == 0:
            save()
        if processes.main and tc.sample_every and step % tc.sample_every == 0:
            _samples(cfg, vae, dit_cfg, ema, device, text_encoder, out, step, autocast)

    # 5. save
    save()
    final = None
    if processes.main:
        losses.close()
        seconds = time.time() - started
        record = {
            "command": " ".join(sys.argv) or "kinema train dit",
            "data": {"world": cfg.data.world, "videos": len(cache.items), "captions": len(cache.captions), "sizes": list(cache.sizes)},
            "steps": step,
            "windows": step * tc.batch_size,
            "hardware": _hardware(device, processes.world),
            "seconds": round(seconds),
            "commit": runtime.git_commit(),
            "config": asdict(cfg),
        }
        final = export(cfg, vae, dit_cfg, ema, out / "checkpoint", record)
        (out / "training.json").write_text(json.dumps(record, indent=2))
        _samples(cfg, vae, dit_cfg, ema, device, text_encoder, out, step, autocast)
        log(f"saved {final} after {step} steps ({seconds:.0f} s)")
    processes.barrier()
    processes.stop()
    return final or out / "checkpoint"


def export(cfg: DiTTrainingConfig, vae, dit_cfg, ema: dict, folder: Path, record: dict) -> Path:
    dit = DiT(dit_cfg)
    dit.load_state_dict({k: v.float().cpu() for k, v in ema.items()})
    return save_checkpoint(folder, model_config(cfg, vae, dit_cfg, record), vae.cpu().float(), dit)


def _samples(cfg, vae, dit_cfg, ema, device, text_encoder, out: Path, step: int, autocast: bool) -> None:
    from kinema.engines.native import NativeEngine

    if text_encoder is None:
        text_encoder = MiniLMEncoder(TextConfig(), device=device, path=Path(cfg.model.text_encoder_path) if cfg.model.text_encoder_path else None)
    dit = DiT(dit_cfg).to(device).eval()
    dit.load_state_dict({k: v.float() for k, v in ema.items()})
    engine = NativeEngine.from_networks(model_config(cfg, vae, dit_cfg, {}), vae.to(device).eval(), dit, text_encoder, autocast)
    write_samples(engine, cfg.sampling_prompts, out / "samples", step)


def _hardware(device: torch.device, world: int) -> str:
    if device.type == "cuda":
        return f"{world}× {torch.cuda.get_device_name(device)}"
    import os

    return f"{world}× CPU ({os.cpu_count()} cores visible)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinema train dit", description="Train the diffusion transformer on Kinema World.")
    parser.add_argument("--config", type=Path, help="TOML config (configs/dit-s.toml)")
    parser.add_argument("overrides", nargs="*", help="section.key=value")
    args = parser.parse_args(argv)
    train(load_config(DiTTrainingConfig, args.config, args.overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["batch_loss", "export", "main", "make_batch", "train"]
