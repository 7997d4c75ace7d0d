"""The native engine: Kinema's own model — causal video VAE, DiT over spacetime patches, rectified flow.

`NativeEngine.generate` is one pipeline of numbered steps (diffusers' pipeline shape):

1. resolve the request against the model's capabilities (defaults, clear errors);
2. plan the mode (`modes.py`): read its inputs, encode what is known with the VAE, say what each
   latent frame is told (view, shot, camera) and which frames get written;
3. encode the prompt (expanded into the detailed caption style the model was trained on when the
   world's parser reads it) and the negative prompt;
4. denoise the latent sequence in windows: every window is generated with what is already decided in
   it — known frames of the mode, and the frames it shares with the window before it — given as
   known, so motion carries across windows and a minute-long video is as long as its sequence;
5. decode the latents in time chunks straight into the MP4 writer, so a 60-second video never holds
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
from kinema.engines import modes
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
        modes=tuple(s.modes),
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
        engine.provenance = False  # training samples are not published videos
        return engine

    def capabilities(self) -> Capabilities:
        return capabilities(self.config)

    def expand_prompt(self, prompt: str, seed: int) -> str:
        """The prompt in the detailed caption style the model was trained on, when Kinema World's parser
        reads it (as Sora rewrites prompts before generating); the prompt as it is otherwise."""
        if not self.config.sampling.expand_prompts:
            return prompt
        from kinema.world.captions import detailed
        from kinema.world.parse import ParseError, parse

        try:
            return detailed(parse(prompt), np.random.default_rng(seed))
        except ParseError:
            return prompt

    @torch.inference_mode()
    def frames(self, request: VideoRequest) -> np.ndarray:
        """The whole video as (T, H, W, 3) uint8, in memory (for short videos; `generate` streams to a file)."""
        r = resolve(request, self.capabilities(), seed=secrets.randbits(63) if request.seed is None else None)
        plan = modes.plan(self, request, r)
        latents = self._denoise(r, plan, self._text(plan.prompt, r.negative_prompt), None)[0]
        return np.stack(list(self._frames(latents[0], plan, 0)))

    def generate(
        self,
        request: VideoRequest,
        output: Path,
        progress: ProgressFn | None = None,
        *,
        video_id: str | None = None,
        request_id: str | None = None,
    ) -> GeneratedVideo:
        """Make the video at `output`. `video_id` / `request_id` name it in its provenance (made up if absent).

        A multi-view request writes one video per camera — `output`, then NAME-v1.mp4, … — and
        NAME-grid.mp4 with all of them side by side.
        """
        # 1. resolve
        r = resolve(request, self.capabilities(), seed=secrets.randbits(63) if request.seed is None else None)
        timings: dict[str, float] = {}
        start = time.perf_counter()

        # 2. plan the mode
        plan = modes.plan(self, request, r)
        timings["inputs"] = time.perf_counter() - start

        # 3. text
        t0 = time.perf_counter()
        text = self._text(plan.prompt, r.negative_prompt)
        timings["text"] = time.perf_counter() - t0

        # 4. denoise
        t0 = time.perf_counter()
        latents, windows = self._denoise(r, plan, text, progress)
        timings["denoise"] = time.perf_counter() - t0

        # 5. decode and write, with provenance
        t0 = time.perf_counter()
        output = Path(output)
        paths = [output] + [output.with_name(f"{output.stem}-v{v}{output.suffix}") for v in range(1, plan.views)]
        stamps = [self._stamp(r, video_id if v == 0 else None, request_id) for v in range(plan.views)]
        if plan.views == 1:  # streamed: a long video never sits in memory
            self._write(self._frames(latents[0], plan, 0), r, output, stamps[0])
        else:  # several cameras: each decoded once, written alone and side by side
            views = [list(self._frames(latents[v], plan, v)) for v in range(plan.views)]
            for frames, path, stamp in zip(views, paths, stamps):
                self._write(frames, r, path, stamp)
            grid = output.with_name(f"{output.stem}-grid{output.suffix}")
            self._write(self._grid(views), r, grid, self._stamp(r, None, request_id))
            paths.append(grid)
        timings["decode"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        details = {"windows": len(windows), "latent_shape": list(latents.shape[1:])}
        if plan.prompt != r.prompt:
            details["expanded_prompt"] = plan.prompt
        if plan.views > 1:
            details["views"] = [str(p) for p in paths]
        if plan.notes:
            details["notes"] = plan.notes
        if stamps[0] is not None:
            details["provenance"] = stamps[0].details()
        return GeneratedVideo(path=output, model=self.name, request=r, timings=timings, details=details)

    def _text(self, prompt: str, negative: str) -> TextEmbeddings:
        return self.text_encoder.encode([prompt, negative]).to(self.device)

    def _stamp(self, r: ResolvedRequest, video_id: str | None, request_id: str | None):
        return provenance_stamp(self, r, video_id, request_id)  # the diffusers engine stamps the same way

    def _windows(self, plan: modes.Plan) -> list[tuple[int, int]]:
        """Windows covering every latent frame not fixed by the mode, each starting (or, filling backwards,
        ending) with `window_overlap` frames already decided, so it continues from them."""
        s = self.config.sampling
        W, overlap, L = s.window_latent_frames, s.window_overlap, plan.length
        decided = plan.known_mask.clone()
        windows = []
        while not bool(decided.all()):
            undecided = (~decided).nonzero()[:, 0]
            if plan.backward:
                end = min(L, int(undecided[-1]) + 1 + overlap)
                begin = max(0, end - W)
            else:
                begin = max(0, int(undecided[0]) - overlap)
                end = min(L, begin + W)
            windows.append((begin, end))
            decided[begin:end] = True
        return windows

    @torch.inference_mode()
    def _denoise(self, r: ResolvedRequest, plan: modes.Plan, text: TextEmbeddings, progress: ProgressFn | None):
        """Fill the plan's latent sequence: (V, C, L, h, w) and the windows used."""
        generator = torch.Generator(device="cpu").manual_seed(r.seed)
        latents = plan.known.clone()
        decided = plan.known_mask.clone().to(self.device)
        if plan.loop_image:  # a still first, then a clip that starts and ends on it
            still = self._denoise_window(r, plan, text, latents[:, :, :1], torch.zeros(1, dtype=torch.bool, device=self.device), 0, 1, generator, None)
            latents[:, :, :1] = still
            latents[:, :, -1:] = still
            decided[0] = decided[-1] = True
        windows = self._windows(modes.Plan(**{**plan.__dict__, "known_mask": decided.cpu()}))
        total = r.steps * len(windows)
        for index, (begin, end) in enumerate(windows):
            done_before = index * r.steps
            callback = (lambda i, _n, d=done_before: progress(d + i, total)) if progress else None
            window = self._denoise_window(r, plan, text, latents[:, :, begin:end], decided[begin:end], begin, end, generator, callback)
            latents[:, :, begin:end] = torch.where(decided[begin:end].view(1, 1, -1, 1, 1), latents[:, :, begin:end], window)
            decided[begin:end] = True
        return latents, windows

    def _denoise_window(self, r, plan: modes.Plan, text: TextEmbeddings, current, known_mask, begin: int, end: int, generator, callback):
        """One window of every view, packed into one sequence: (V, C, n, h, w) in and out."""
        s = self.config.sampling
        V, C, n, h, w = current.shape
        pt, ph, pw = self.config.dit.patch_size
        pack = lambda x: x.permute(1, 0, 2, 3, 4).reshape(1, C, V * n, h, w)  # noqa: E731  (V, C, n, h, w) → (1, C, V·n, h, w)
        known = pack(current)
        mask = known_mask.float().repeat(V).view(1, 1, V * n, 1, 1).to(self.device)
        positions = torch.arange(n, device=self.device).repeat(V)
        view = torch.arange(V, device=self.device).repeat_interleave(n)[None]
        shot = plan.shots[begin:end].to(self.device).repeat(V)[None]
        camera = plan.camera[:, begin:end].reshape(1, V * n, -1).to(self.device)
        noise = torch.randn(1, C, V * n, h, w, generator=generator).to(self.device)
        if plan.init is not None:  # SDEdit: start part-way, from the source noised to that time
            noise = (1 - plan.start) * pack(plan.init[:, :, begin:end]) + plan.start * noise
        tokens = (V * n // pt) * (h // ph) * (w // pw)
        shift = resolution_shift(tokens, s.shift_base_tokens)

        def model(x, t, with_negative):
            k = x.shape[0]
            tokens_, mask_ = (text.tokens, text.mask) if with_negative else (text.tokens[:1], text.mask[:1])
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                return self.dit(
                    x, t, tokens_, mask_, known.expand(k, -1, -1, -1, -1), mask.expand(k, -1, -1, -1, -1),
                    time_positions=positions, view=view.expand(k, -1), shot=shot.expand(k, -1), camera=camera.expand(k, -1, -1),
                )

        x = sample(guided(model, r.guidance_scale), noise, r.steps, s.sampler, shift, callback, start=plan.start)
        x = torch.where(mask.bool(), known, x)  # known frames stay exactly as given
        return x.view(C, V, n, h, w).permute(1, 0, 2, 3, 4)

    @torch.inference_mode()
    def _frames(self, latents: torch.Tensor, plan: modes.Plan, view: int):
        """The frames of one view, in order: the plan's head, the decoded frames it keeps, its tail."""
        yield from plan.head if view == 0 else ()
        skip, remaining, first = plan.skip, plan.count, True
        for chunk in self.vae.decode_chunks(latents[None], chunk=2):
            frames = to_uint8_frames(chunk)
            if skip:
                dropped = min(skip, len(frames))
                frames, skip = frames[dropped:], skip - dropped
            frames = frames[:remaining]
            for frame in frames:
                if first and plan.first_frame is not None:
                    frame = plan.first_frame  # image-to-video: the image is the first frame, exactly
                first = False
                yield frame
            remaining -= len(frames)
            if remaining <= 0:
                break
        yield from plan.tail if view == 0 else ()

    @staticmethod
    def _grid(views: list) -> object:
        """Frames of several views side by side, two to a row."""
        for frames in zip(*views):
            columns = min(2, len(frames))
            rows = [np.concatenate(frames[i : i + columns], axis=1) for i in range(0, len(frames), columns)]
            if rows[-1].shape[1] < rows[0].shape[1]:
                rows[-1] = np.concatenate([rows[-1], np.zeros_like(frames[0])], axis=1)
            yield np.concatenate(rows, axis=0)

    def _write(self, frames, r: ResolvedRequest, output: Path, stamp=None) -> None:
        from kinema.video import VideoWriter  # PyAV only when writing: training machines may not have it

        metadata = {"comment": json.dumps({"generator": "kinema", "model": self.name, "seed": r.seed})}
        with VideoWriter(output, r.fps, metadata=metadata, stamp=stamp) as writer:
            for frame in frames:
                writer.write(frame)
