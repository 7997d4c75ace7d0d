"""The native engine: Kinema's own model — causal video VAE, DiT over spacetime patches, rectified flow.

`NativeEngine.generate` is one pipeline of numbered steps (diffusers' pipeline shape):

1. resolve the request against the model's capabilities (defaults, clear errors);
2. encode the prompt and the negative prompt;
3. denoise latent windows: a video longer than one window is generated as overlapping windows, each
   taking the last latent frames of the previous one as known frames, so motion carries across;
4. decode the latents in time chunks straight into the MP4 writer, so a 60-second video never holds
   all its frames in memory. Every frame is watermarked on its way to the encoder, the finished
   file is signed (C2PA) before it appears at its path, and its fingerprints are indexed
   (`kinema.safety.provenance`, loaded only when a video is written).
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import numpy as np
import torch

from kinema.checkpoint import ModelConfig, load_checkpoint
from kinema.diffusion.flow import resolution_shift
from kinema.diffusion.guidance import guided
from kinema.diffusion.samplers import sample
from kinema.engines.base import Capabilities, GeneratedVideo, ProgressFn, ResolvedRequest, VideoRequest, provenance_stamp, resolve
from kinema.models.text import TextEmbeddings, TextEncoder, load_text_encoder


def bf16_supported(device: torch.device) -> bool:
    """bf16 autocast pays off on GPUs and on CPUs with native bf16 matmuls (AVX-512 BF16 / AMX)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and bool(torch.backends.mkldnn.is_available()) and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def plan_windows(latent_frames: int, window: int, overlap: int) -> list[tuple[int, int]]:
    """Latent-frame ranges [start, end) covering 0..latent_frames, each overlapping the previous by `overlap`."""
    windows = [(0, min(window, latent_frames))]
    while windows[-1][1] < latent_frames:
        start = windows[-1][1] - overlap
        windows.append((start, min(start + window, latent_frames)))
    return windows


def capabilities(config: ModelConfig) -> Capabilities:
    """What a native checkpoint can do, from its config alone (no weights are loaded)."""
    s, v = config.sampling, config.vae
    grid = v.spatial_factor * config.dit.patch_size[1]
    return Capabilities(
        modes=("text-to-video", "image"),
        default_size=s.size,
        sizes=s.sizes,
        size_multiple=grid,
        min_side=grid * 2,
        max_side=1024,
        default_fps=s.fps,
        min_fps=1.0,
        max_fps=30.0,
        default_seconds=s.seconds,
        max_seconds=60.0,
        default_steps=s.steps,
        max_steps=200,
        default_guidance_scale=s.guidance_scale,
    )


def to_uint8_frames(video: torch.Tensor) -> np.ndarray:
    """(1, 3, T, H, W) in [-1, 1] → (T, H, W, 3) uint8."""
    x = ((video[0].float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(1, 2, 3, 0).cpu().numpy()


class NativeEngine:
    def __init__(
        self,
        folder: Path,
        device: str | torch.device = "cpu",
        text_encoder: TextEncoder | None = None,
        precision: str = "auto",
        provenance=None,
    ):
        """`provenance`: a `kinema.safety.provenance.Provenance` (the service passes its own), None for
        this installation's (from the safety configuration), or False for none (benchmarks only)."""
        start = time.perf_counter()
        self.provenance = provenance
        self.folder = Path(folder)
        self.device = torch.device(device)
        self.config, self.vae, self.dit = load_checkpoint(self.folder, self.device)
        self.name = self.config.name
        self.text_encoder = text_encoder or load_text_encoder(self.config.text, self.device)
        if precision not in ("auto", "bf16", "fp32"):
            raise ValueError(f"precision {precision!r} is not one of auto, bf16, fp32")
        self.autocast = precision == "bf16" or (precision == "auto" and bf16_supported(self.device))
        self.load_seconds = time.perf_counter() - start

    @classmethod
    def from_networks(cls, config: ModelConfig, vae, dit, text_encoder: TextEncoder, autocast: bool = False) -> NativeEngine:
        """An engine over networks already in memory (samples during training)."""
        engine = cls.__new__(cls)
        engine.folder, engine.device = None, next(dit.parameters()).device
        engine.config, engine.vae, engine.dit, engine.text_encoder = config, vae, dit, text_encoder
        engine.name, engine.autocast, engine.load_seconds = config.name, autocast, 0.0
        return engine

    def capabilities(self) -> Capabilities:
        return capabilities(self.config)

    @torch.inference_mode()
    def frames(self, request: VideoRequest) -> np.ndarray:
        """The whole video as (T, H, W, 3) uint8, in memory (for short videos; `generate` streams to a file)."""
        r = resolve(request, self.capabilities(), seed=secrets.randbits(63) if request.seed is None else None)
        text = self.text_encoder.encode([r.prompt, r.negative_prompt]).to(self.device)
        latents, _ = self._denoise(r, text, None)
        return np.concatenate([to_uint8_frames(chunk) for chunk in self.vae.decode_chunks(latents, chunk=2)])[: r.frames]

    def generate(
        self,
        request: VideoRequest,
        output: Path,
        progress: ProgressFn | None = None,
        *,
        video_id: str | None = None,
        request_id: str | None = None,
    ) -> GeneratedVideo:
        """Make the video at `output`. `video_id` / `request_id` name it in its provenance (made up if absent)."""
        # 1. resolve
        r = resolve(request, self.capabilities(), seed=secrets.randbits(63) if request.seed is None else None)
        timings: dict[str, float] = {}
        start = time.perf_counter()

        # 2. text
        text = self.text_encoder.encode([r.prompt, r.negative_prompt]).to(self.device)
        timings["text"] = time.perf_counter() - start

        # 3. denoise
        t0 = time.perf_counter()
        latents, windows = self._denoise(r, text, progress)
        timings["denoise"] = time.perf_counter() - t0

        # 4. decode and write, with provenance
        t0 = time.perf_counter()
        stamp = self._stamp(r, video_id, request_id)
        self._decode_to_file(latents, r, Path(output), stamp)
        timings["decode"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        details = {"windows": len(windows), "latent_shape": list(latents.shape[1:])}
        if stamp is not None:
            details["provenance"] = stamp.details()
        return GeneratedVideo(path=Path(output), model=self.name, request=r, timings=timings, details=details)

    def _stamp(self, r: ResolvedRequest, video_id: str | None, request_id: str | None):
        return provenance_stamp(self, r, video_id, request_id)  # the diffusers engine stamps the same way

    @torch.inference_mode()
    def _denoise(self, r: ResolvedRequest, text: TextEmbeddings, progress: ProgressFn | None):
        vae_cfg, s = self.config.vae, self.config.sampling
        frames = 1 + -(-(r.frames - 1) // vae_cfg.temporal_factor) * vae_cfg.temporal_factor  # round up to 1 + 4k
        shape = (vae_cfg.latent_channels, vae_cfg.latent_frames(frames), r.height // vae_cfg.spatial_factor, r.width // vae_cfg.spatial_factor)
        C, L, h, w = shape
        windows = plan_windows(L, s.window_latent_frames, s.window_overlap)
        generator = torch.Generator(device="cpu").manual_seed(r.seed)
        pt, ph, pw = self.config.dit.patch_size
        total_steps = r.steps * len(windows)

        pieces: list[torch.Tensor] = []  # latent frames decided so far, in order
        previous: torch.Tensor | None = None
        for index, (begin, end) in enumerate(windows):
            length = end - begin
            known = torch.zeros(1, C, length, h, w, device=self.device)
            known_mask = torch.zeros(1, 1, length, 1, 1, device=self.device)
            carried = 0
            if previous is not None:
                carried = previous.shape[2]
                known[:, :, :carried] = previous
                known_mask[:, :, :carried] = 1.0
            noise = torch.randn(1, C, length, h, w, generator=generator).to(self.device)
            tokens = (length // pt) * (h // ph) * (w // pw)
            shift = resolution_shift(tokens, s.shift_base_tokens)

            def model(x, t, with_negative, known=known, known_mask=known_mask):
                n = x.shape[0]
                tokens_, mask_ = (text.tokens, text.mask) if with_negative else (text.tokens[:1], text.mask[:1])
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                    return self.dit(x, t, tokens_, mask_, known.expand(n, -1, -1, -1, -1), known_mask.expand(n, -1, -1, -1, -1))

            done_before = index * r.steps
            callback = (lambda i, _n: progress(done_before + i, total_steps)) if progress else None
            x = sample(guided(model, r.guidance_scale), noise, r.steps, s.sampler, shift, callback)
            x = torch.where(known_mask.bool(), known, x)  # known frames stay exactly as given
            pieces.append(x[:, :, carried:])
            previous = x[:, :, -s.window_overlap :]
        return torch.cat(pieces, dim=2), windows

    @torch.inference_mode()
    def _decode_to_file(self, latents: torch.Tensor, r: ResolvedRequest, output: Path, stamp=None) -> None:
        from kinema.video import VideoWriter  # PyAV only when writing: training machines may not have it

        metadata = {"comment": json.dumps({"generator": "kinema", "model": self.name, "seed": r.seed})}
        remaining = r.frames
        with VideoWriter(output, r.fps, metadata=metadata, stamp=stamp) as writer:
            for chunk in self.vae.decode_chunks(latents, chunk=2):
                frames = to_uint8_frames(chunk)[:remaining]
                for frame in frames:
                    writer.write(frame)
                remaining -= len(frames)
                if remaining <= 0:
                    break
