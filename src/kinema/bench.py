"""`kinema bench`: how fast our DiT denoises, next to a diffusers peer of the same shape.

For the model's default size and two larger ones it reports, per size:

- **tokens** per sample: T/pt · H/ph · W/pw of the latent window the DiT sees;
- **seconds per denoising step**: one DiT call on a batch of 2 (classifier-free guidance runs the
  prompt and the negative prompt as one batch, see `diffusion.guidance`), median of `--repeats`;
- **FLOPs per step** and **achieved GFLOP/s** (= FLOPs per step / seconds per step);
- **peak RSS** of a fresh process that builds the network and runs it;
- **end-to-end seconds** of `load_engine(model).generate(...)` (inputs, text, denoise, decode, total; load
  time apart);

and the same figures for the peer — diffusers' `WanTransformer3DModel` with our width, depth, heads,
patch, MLP width, text width and input channels, QK-norm and cross-attention norm on — with the ratio
ours/peer. The machine's measured 2048³ matmul GFLOP/s (fp32 and bf16) shows how far both are from the
hardware limit. The acceptance bar is ours ≤ 0.9× the peer's seconds per step at every size.

How it is measured, so the ratio is fair:

- both networks are built from random weights (weights do not change dense-kernel speed) in float32,
  put in eval mode with gradients off, and called under `torch.inference_mode()` and the engine's
  precision: `torch.autocast("cpu", dtype=torch.bfloat16)` entered around every call, as
  `NativeEngine` does, when `engines.native.bf16_supported` is true; fp32 otherwise;
- both get the same inputs: latents (2, C, T, H, W), flow time t (the peer gets 1000·t, its
  convention), 32 text tokens of width `text_dim` (all real: the peer takes no text mask), and the
  known-frame channels — ours concatenates them inside its forward as the engine asks it to, the peer
  is handed the concatenated (2, 2C+1, T, H, W) tensor, so any cost of that falls on ours;
- each is warmed up with 2 calls, then timed calls alternate ours, peer, ours, peer … in one process
  with `time.perf_counter`, so background load hits both alike; the median of the repeats is reported;
- peak RSS is measured separately, in one fresh `python -c` subprocess per (network, size) and per
  end-to-end run: the child imports torch and diffusers (both children, so the baseline is the same),
  builds one network, runs it twice and reports its own peak resident set (VmHWM on Linux; see
  `_peak_rss_mib` for why not `ru_maxrss`), in MiB, so one measurement never inherits another's peak.

FLOPs are counted, not estimated from parameters, by running one forward under
`torch.utils.flop_counter.FlopCounterMode`: every matmul a layer issues counts 2·M·N·K (nn.Linear
with input (…, K) and weight (N, K), M = the leading sizes; the peer's Conv3d patch embedding counts
2·outputs·C_in·kernel volume), and every attention counts 4·B·heads·N_q·N_k·head_dim (QKᵀ and AV),
self-attention (N_k = N) and cross-attention (N_k = text tokens) alike. PyTorch's counter does not
know the CPU flash-attention op, so it is taught that formula here. Softmax, norms, activations and
elementwise work are not counted (as is usual for GFLOP/s figures). Both networks are counted by the
same code from their own layer shapes, so their counts differ only by their small embedding layers.

A diffusers model (`--model wan2.1-t2v-1.3b`, or a diffusers folder) is measured end to end instead,
one fresh process per size: `load_engine(model, device, options).generate(...)` with the options given
(`--offload`, `--compile`, `--attention`, `--cache`, …, or those the engine chooses from the GPU's
memory), reporting seconds per denoising step (the median interval between step callbacks after the
first, which carries warm-up and compilation; on CUDA each is synchronised), load time, the phase
timings, peak RSS, and peak GPU memory (`torch.cuda.max_memory_allocated`). See `run_diffusers`.

The latent shape for a size follows the engine: frames = round(seconds·fps), rounded up to 1 + 4k,
latent (C, 1 + (frames-1)/4, H/8, W/8) with the VAE config's factors. A video longer than the model's
window is denoised as several windows of `window_latent_frames`; the bench times one window's step
and reports the number of windows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

# torch, diffusers and the networks are imported inside the functions that use them: the CLI builds
# this command's parser for every `kinema` invocation, which must not pay for importing torch.
if TYPE_CHECKING:
    import torch

    from kinema.checkpoint import ModelConfig
    from kinema.models.dit import DiTConfig

BATCH = 2
"""Prompt and negative prompt, one batch per step (classifier-free guidance)."""
TEXT_TOKENS = 32
"""A realistic prompt length in MiniLM tokens."""
WARMUP = 2
DEFAULT_REPEATS = 5
TARGET_RATIO = 0.9
"""The acceptance bar: our seconds per step ≤ 0.9× the peer's at every size."""
MATMUL_SIZE = 2048
PEER_WARNING = "Mismatch dtype between input and weight"
"""torch's note that diffusers' bf16 RMSNorm with an fp32 weight takes the unfused path: the peer's own
behaviour, measured as it is, but not worth printing on every run."""
PROMPT = "a red ball rolls across a wooden table, then bounces off a blue cube"

REPORT_KEYS = ("model", "folder", "environment", "settings", "machine", "sizes", "target")
"""Top-level keys of the --json report."""
SIZE_KEYS = ("size", "frames", "latent_shape", "windows", "tokens", "ours", "peer", "ratio")
"""Keys of each entry of report["sizes"]."""
NETWORK_KEYS = ("seconds_per_step", "times", "flops_per_step", "gflops_per_s", "peak_rss_mib", "rss_after_imports_mib", "e2e")
"""Keys of report["sizes"][i]["ours"] and ["peer"]. e2e is {"load_seconds", "timings": {"text", "denoise",
"decode", "total"} (and "inputs"), "peak_rss_mib"} for ours and always null for the peer, which has no pipeline."""


# --- shapes and inputs ------------------------------------------------------------------------------


def latent_shape(config: ModelConfig, size: str, seconds: float, fps: float) -> tuple[tuple[int, int, int, int], int, int]:
    """The latent window one DiT call sees for a video of `size` and `seconds` at `fps`.

    Returns ((C, T, H, W), frames, windows): the frames the video has, rounded up to 1 + 4k as the
    engine does, and how many overlapping windows the engine denoises it in.
    """
    from kinema.engines.base import parse_size
    from kinema.engines.native import plan_windows

    vae, s = config.vae, config.sampling
    width, height = parse_size(size)
    frames = max(1, round(seconds * fps))
    frames = 1 + -(-(frames - 1) // vae.temporal_factor) * vae.temporal_factor  # round up to 1 + 4k
    latent_frames = vae.latent_frames(frames)
    windows = plan_windows(latent_frames, s.window_latent_frames, s.window_overlap)
    T = windows[0][1] - windows[0][0]
    return (vae.latent_channels, T, height // vae.spatial_factor, width // vae.spatial_factor), frames, len(windows)


def tokens_of(dit: DiTConfig, shape: tuple[int, int, int, int]) -> int:
    """Tokens per sample: T/pt · H/ph · W/pw."""
    _, T, H, W = shape
    pt, ph, pw = dit.patch_size
    return (T // pt) * (H // ph) * (W // pw)


def default_sizes(config: ModelConfig) -> list[str]:
    """The model's default size, then 2× and 3× its sides (rounded to the model's grid)."""
    from kinema.engines.base import parse_size
    from kinema.engines.native import capabilities

    width, height = parse_size(config.sampling.size)
    grid = capabilities(config).size_multiple
    return [f"{round(width * k / grid) * grid}x{round(height * k / grid) * grid}" for k in (1, 2, 3)]


def step_inputs(dit: DiTConfig, shape: tuple[int, int, int, int], text_len: int = TEXT_TOKENS, seed: int = 0):
    """One denoising step's inputs for both networks: (ours_args, peer_kwargs), the same numbers.

    ours: (x, t, text, text_mask, known, known_mask) as `NativeEngine` passes them;
    peer: hidden_states = [x, known·mask, mask] on channels (2C+1), timestep = 1000·t, the same text.
    """
    import torch

    C, T, H, W = shape
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, C, T, H, W, generator=g)
    t = torch.rand(BATCH, generator=g)
    text = torch.randn(BATCH, text_len, dit.text_dim, generator=g)
    text_mask = torch.ones(BATCH, text_len, dtype=torch.bool)
    known = torch.zeros(BATCH, C, T, H, W)
    known_mask = torch.zeros(BATCH, 1, T, 1, 1)
    hidden = torch.cat([x, known * known_mask, known_mask.expand(BATCH, 1, T, H, W)], dim=1)  # (B, 2C+1, T, H, W)
    peer = {"hidden_states": hidden, "timestep": t * 1000.0, "encoder_hidden_states": text, "return_dict": False}
    return (x, t, text, text_mask, known, known_mask), peer


# --- the two networks -------------------------------------------------------------------------------


def peer_for(dit: DiTConfig):
    """diffusers' `WanTransformer3DModel` doing the same work per token as `DiT(dit)`, in eval mode."""
    try:
        from diffusers import WanTransformer3DModel
    except ImportError as error:
        raise RuntimeError("kinema bench needs diffusers for its peer network: pip install 'kinema[bench]'") from error

    peer = WanTransformer3DModel(
        patch_size=dit.patch_size,
        num_attention_heads=dit.heads,
        attention_head_dim=dit.width // dit.heads,
        in_channels=dit.in_channels,  # noisy + known-frame latents + mask, as ours after concatenation
        out_channels=dit.latent_channels,
        text_dim=dit.text_dim,
        freq_dim=dit.frequency_dim,
        ffn_dim=int(dit.width * dit.mlp_ratio),
        num_layers=dit.depth,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
    )
    return peer.eval().requires_grad_(False)


def build_pair(dit: DiTConfig, seed: int = 0):
    """(ours, peer), randomly initialised from `seed`, eval mode, no gradients."""
    import torch

    from kinema.models.dit import DiT

    torch.manual_seed(seed)
    ours = DiT(dit).eval().requires_grad_(False)
    return ours, peer_for(dit)


def step_fns(ours: torch.nn.Module, peer: torch.nn.Module, ours_args: tuple, peer_kwargs: dict, autocast: bool):
    """Zero-argument callables running one step of each network the way the engine calls ours."""
    import torch

    def call_ours():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            return ours(*ours_args)

    def call_peer():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            return peer(**peer_kwargs)[0]

    return call_ours, call_peer


# --- counting and timing ----------------------------------------------------------------------------


def _attention_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    """4·B·heads·N_q·N_k·head_dim: QKᵀ and AV, each 2·M·N·K."""
    B, heads, n_q, d = query_shape
    n_k, d_v = key_shape[2], value_shape[3]
    return 2 * B * heads * n_q * n_k * d + 2 * B * heads * n_q * n_k * d_v


def count_flops(fn: Callable[[], object]) -> int:
    """Matmul and attention FLOPs of one call of `fn` (see the module docstring for the formulas)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    aten = torch.ops.aten
    mapping = {aten._scaled_dot_product_flash_attention_for_cpu: _attention_flops}
    with torch.inference_mode(), FlopCounterMode(display=False, custom_mapping=mapping) as counter:
        fn()
    return int(counter.get_total_flops())


def time_interleaved(fns: dict[str, Callable[[], object]], repeats: int, warmup: int = WARMUP) -> dict[str, list[float]]:
    """Warm each function up, then time them in turn (A B A B …) `repeats` times; seconds per call."""
    import torch

    times: dict[str, list[float]] = {name: [] for name in fns}
    with torch.inference_mode():
        for fn in fns.values():
            for _ in range(warmup):
                fn()
        for _ in range(repeats):
            for name, fn in fns.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return times


def bench_step(
    dit: DiTConfig,
    shape: tuple[int, int, int, int],
    text_len: int = TEXT_TOKENS,
    repeats: int = DEFAULT_REPEATS,
    autocast: bool = False,
    warmup: int = WARMUP,
    seed: int = 0,
) -> dict:
    """Time one denoising step (a batch of 2) of our DiT and of its peer on latents of `shape` (C, T, H, W).

    Returns {"tokens", "latent_shape", "autocast", "ours": {...}, "peer": {...}, "ratio"}, each network
    with seconds_per_step (median), times (every repeat), flops_per_step and gflops_per_s.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    ours, peer = build_pair(dit, seed)
    ours_args, peer_kwargs = step_inputs(dit, shape, text_len, seed)
    call_ours, call_peer = step_fns(ours, peer, ours_args, peer_kwargs, autocast)
    result = {"tokens": tokens_of(dit, shape), "latent_shape": list(shape), "autocast": autocast}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PEER_WARNING)
        times = time_interleaved({"ours": call_ours, "peer": call_peer}, repeats, warmup)
        for name, fn in (("ours", call_ours), ("peer", call_peer)):
            seconds = statistics.median(times[name])
            flops = count_flops(fn)
            result[name] = {"seconds_per_step": seconds, "times": times[name], "flops_per_step": flops, "gflops_per_s": flops / seconds / 1e9}
    result["ratio"] = result["ours"]["seconds_per_step"] / result["peer"]["seconds_per_step"]
    return result


def matmul_gflops(n: int = MATMUL_SIZE, repeats: int = 5) -> dict[str, float]:
    """The machine's n×n @ n×n matmul throughput in fp32 and bf16 (median of `repeats`), GFLOP/s."""
    import torch

    result = {}
    g = torch.Generator().manual_seed(0)
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        a, b = (torch.randn(n, n, generator=g).to(dtype) for _ in range(2))
        times = time_interleaved({name: lambda a=a, b=b: a @ b}, repeats)[name]
        result[name] = 2 * n**3 / statistics.median(times) / 1e9
    return result


# --- separate processes: peak RSS and end to end ----------------------------------------------------


def _peak_rss_mib() -> float:
    """This process's peak resident set, MiB.

    On Linux it is VmHWM, the high-water mark of this process's own address space. `ru_maxrss` is not
    usable in a child: Linux carries the pre-exec image's peak — a fork of the parent, as large as the
    parent — across fork and exec, so every child would report at least the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def _child(spec_json: str) -> None:
    """Entry point of a measuring subprocess: runs one spec and prints its figures as one JSON line."""
    import torch

    from kinema.models.dit import DiT, DiTConfig

    spec = json.loads(spec_json)
    torch.set_num_threads(spec["threads"])
    if spec["kind"] == "diffusers":
        print(json.dumps(_diffusers_child(spec)))
        return
    if spec["kind"] == "e2e":
        from kinema.engines import VideoRequest, load_engine

        engine = load_engine(spec["model"])
        request = VideoRequest(prompt=PROMPT, size=spec["size"], seconds=spec["seconds"], steps=spec["steps"], seed=0)
        result = engine.generate(request, Path(spec["output"]))
        out = {"load_seconds": engine.load_seconds, "timings": result.timings, "peak_rss_mib": _peak_rss_mib()}
    else:
        from diffusers import WanTransformer3DModel  # noqa: F401  (in both children, so their baselines match)

        baseline = _peak_rss_mib()
        dit = DiTConfig(**spec["dit"])
        torch.manual_seed(0)
        model = DiT(dit).eval().requires_grad_(False) if spec["kind"] == "ours" else peer_for(dit)
        ours_args, peer_kwargs = step_inputs(dit, tuple(spec["shape"]), spec["text_len"])
        call_ours, call_peer = step_fns(model, model, ours_args, peer_kwargs, spec["autocast"])
        step = call_ours if spec["kind"] == "ours" else call_peer
        warnings.filterwarnings("ignore", message=PEER_WARNING)
        with torch.inference_mode():
            for _ in range(WARMUP):
                step()
        out = {"peak_rss_mib": _peak_rss_mib(), "import_rss_mib": baseline}
    print(json.dumps(out))


def run_child(spec: dict, timeout: float | None = None) -> dict:
    """Run `_child(spec)` in a fresh Python process and return what it printed."""
    code = "import sys; from kinema.bench import _child; _child(sys.argv[1])"
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(spec)], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"bench subprocess for {spec['kind']} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss(kind: str, dit: DiTConfig, shape: tuple[int, int, int, int], autocast: bool, threads: int, text_len: int = TEXT_TOKENS) -> dict:
    """Peak RSS (MiB) of a fresh process that builds `kind` ("ours" or "peer") and runs 2 steps."""
    spec = {"kind": kind, "dit": dit.to_dict(), "shape": list(shape), "text_len": text_len, "autocast": autocast, "threads": threads}
    return run_child(spec)


def end_to_end(folder: Path, size: str, seconds: float, steps: int, threads: int) -> dict:
    """`load_engine(folder).generate(...)` in a fresh process: load seconds, phase timings, peak RSS."""
    with tempfile.TemporaryDirectory(prefix="kinema-bench-") as tmp:
        spec = {"kind": "e2e", "model": str(folder), "size": size, "seconds": seconds, "steps": steps, "threads": threads, "output": str(Path(tmp) / "bench.mp4")}
        return run_child(spec)


# --- diffusers models: end to end -------------------------------------------------------------------

DIFFUSERS_REPORT_KEYS = ("model", "engine", "source", "environment", "settings", "sizes")
DIFFUSERS_SIZE_KEYS = ("size", "frames", "fps", "steps", "seconds_per_step", "load_seconds", "timings", "peak_rss_mib", "peak_gpu_mib", "options", "adjusted")


def _diffusers_child(spec: dict) -> dict:
    """One diffusers generation in this (fresh) process: its figures."""
    import torch

    from kinema.engines import VideoRequest, load_engine
    from kinema.engines.open_weights import options_from

    device = torch.device(spec["device"])
    options = options_from(spec["options"]) if spec["options"] else None
    engine = load_engine(spec["model"], device=spec["device"], options=options)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    request = VideoRequest(prompt=PROMPT, size=spec["size"], seconds=spec["seconds"], steps=spec["steps"], seed=0)
    result = engine.generate(request, Path(spec["output"]))
    r = result.request
    return {
        "size": r.size,
        "frames": r.frames,
        "fps": r.fps,
        "steps": r.steps,
        "seconds_per_step": result.timings["step"],
        "load_seconds": engine.load_seconds,
        "timings": result.timings,
        "peak_rss_mib": _peak_rss_mib(),
        "peak_gpu_mib": torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None,
        "options": result.details["options"],
        "adjusted": result.details.get("adjusted", {}),
    }


def run_diffusers(entry, sizes: list[str], seconds: float | None, steps: int | None, device: str, options: dict, threads: int, log: Callable[[str], None] = lambda m: None) -> dict:
    """Measure a diffusers model end to end at each size, each in a fresh process; the report."""
    import torch

    rows = []
    for size in sizes:
        log(f"{size}: {entry.name} end to end on {device} …")
        with tempfile.TemporaryDirectory(prefix="kinema-bench-") as tmp:
            spec = {"kind": "diffusers", "model": entry.name if entry.repo else str(entry.folder), "size": size, "seconds": seconds, "steps": steps,
                    "device": device, "options": options, "threads": threads, "output": str(Path(tmp) / "bench.mp4")}
            rows.append(run_child(spec))
    env = environment(threads, autocast=False)
    env["device"] = device
    if device.startswith("cuda") and torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return {
        "model": entry.name,
        "engine": "diffusers",
        "source": entry.repo or str(entry.folder),
        "environment": env,
        "settings": {"seconds": seconds, "steps": steps, "options": options, "prompt": PROMPT},
        "sizes": rows,
    }


def format_diffusers_report(report: dict) -> str:
    env = report["environment"]
    lines = [
        f"kinema bench — {report['model']} ({report['source']}), diffusers engine on {env.get('gpu') or env['device']}; "
        f"torch {env['torch']}, diffusers {env['diffusers']}",
        "",
    ]
    header = ("size", "frames", "steps", "s/step", "load s", "text s", "denoise s", "decode s", "total s", "peak RSS MiB", "peak GPU MiB")
    table = [header]
    for row in report["sizes"]:
        t = row["timings"]
        gpu = "—" if row["peak_gpu_mib"] is None else f"{row['peak_gpu_mib']:.0f}"
        table.append((row["size"], str(row["frames"]), str(row["steps"]), f"{row['seconds_per_step']:.3f}", f"{row['load_seconds']:.1f}",
                      f"{t['text']:.2f}", f"{t['denoise']:.2f}", f"{t['decode']:.2f}", f"{t['total']:.2f}", f"{row['peak_rss_mib']:.0f}", gpu))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))))
    first = report["sizes"][0]
    lines += ["", "options: " + ", ".join(f"{k} {v}" for k, v in first["options"].items())]
    for row in report["sizes"]:
        for field, change in row["adjusted"].items():
            lines.append(f"{row['size']}: {field} {change['requested']:g} → {change['used']:g} ({change['why']})")
    return "\n".join(lines)


# --- the whole bench --------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(threads: int, autocast: bool) -> dict:
    try:
        import diffusers

        diffusers_version = diffusers.__version__
    except ImportError:
        diffusers_version = None
    import torch

    from kinema import __version__

    return {
        "kinema": __version__,
        "torch": torch.__version__,
        "diffusers": diffusers_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "device": "cpu",
        "autocast_bf16": autocast,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def run_bench(
    folder: Path,
    sizes: list[str] | None = None,
    seconds: float | None = None,
    repeats: int = DEFAULT_REPEATS,
    steps_e2e: int | None = None,
    e2e: bool = True,
    threads: int | None = None,
    rss: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> dict:
    """Measure every size and return the report (the --json document)."""
    import torch

    from kinema.checkpoint import read_config
    from kinema.engines.native import bf16_supported

    config = read_config(folder)
    s = config.sampling
    sizes = sizes or default_sizes(config)
    seconds = s.seconds if seconds is None else seconds
    steps = s.steps if steps_e2e is None else steps_e2e
    threads = threads or torch.get_num_threads()
    autocast = bf16_supported(torch.device("cpu"))

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        log(f"matmul {MATMUL_SIZE}³ fp32 and bf16 …")
        machine = {"matmul_size": MATMUL_SIZE, **{f"matmul_{k}_gflops": v for k, v in matmul_gflops().items()}}
        rows = []
        for size in sizes:
            shape, frames, windows = latent_shape(config, size, seconds, s.fps)
            log(f"{size}: latent {shape}, {tokens_of(config.dit, shape)} tokens — timing ours and peer, {repeats} repeats …")
            step = bench_step(config.dit, shape, repeats=repeats, autocast=autocast)
            row = {"size": size, "frames": frames, "latent_shape": list(shape), "windows": windows, "tokens": step["tokens"]}
            for name in ("ours", "peer"):
                figures = step[name]
                figures["peak_rss_mib"] = figures["rss_after_imports_mib"] = None
                if rss:
                    log(f"{size}: peak RSS of {name} in a fresh process …")
                    memory = peak_rss(name, config.dit, shape, autocast, threads)
                    figures["peak_rss_mib"], figures["rss_after_imports_mib"] = memory["peak_rss_mib"], memory["import_rss_mib"]
                figures["e2e"] = None
                row[name] = figures
            if e2e:
                log(f"{size}: end to end, {steps} steps …")
                row["ours"]["e2e"] = end_to_end(folder, size, seconds, steps, threads)
            row["ratio"] = step["ratio"]
            rows.append(row)
    finally:
        torch.set_num_threads(previous_threads)

    worst = max(row["ratio"] for row in rows)
    return {
        "model": config.name,
        "folder": str(folder),
        "environment": environment(threads, autocast),
        "settings": {"seconds": seconds, "fps": s.fps, "batch": BATCH, "text_tokens": TEXT_TOKENS, "repeats": repeats, "warmup": WARMUP, "steps_e2e": steps if e2e else None},
        "machine": machine,
        "sizes": rows,
        "target": {"max_ratio": TARGET_RATIO, "worst_ratio": worst, "met": worst <= TARGET_RATIO},
    }


def format_report(report: dict) -> str:
    """The report as a readable table."""
    env, m, st = report["environment"], report["machine"], report["settings"]
    bf16_peak = m["matmul_bf16_gflops"]
    lines = [
        f"kinema bench — {report['model']} ({report['folder']}); {st['seconds']:g} s at {st['fps']:g} fps; "
        f"batch {st['batch']} (prompt + negative), {st['text_tokens']} text tokens; median of {st['repeats']}",
        f"torch {env['torch']}, diffusers {env['diffusers']}, {env['threads']} threads, "
        f"bf16 autocast: {'yes' if env['autocast_bf16'] else 'no (fp32)'}, CPU: {env['cpu']}",
        f"machine: {m['matmul_size']}³ matmul {m['matmul_fp32_gflops']:.0f} GFLOP/s fp32, {bf16_peak:.0f} GFLOP/s bf16",
        "",
    ]
    header = ("size", "tokens", "ours s/step", "peer s/step", "ours/peer", "GFLOP/s ours/peer", "GFLOP/step ours/peer", "peak RSS MiB ours/peer", "e2e s ours", "peer e2e")
    table = [header]

    def mib(value):
        return "—" if value is None else f"{value:.0f}"

    for row in report["sizes"]:
        o, p = row["ours"], row["peer"]
        e2e = "—" if o["e2e"] is None else f"{o['e2e']['timings']['total']:.1f} (load {o['e2e']['load_seconds']:.1f}, {o['e2e']['peak_rss_mib']:.0f} MiB)"
        table.append(
            (
                row["size"] + (f" ×{row['windows']} windows" if row["windows"] > 1 else ""),
                str(row["tokens"]),
                f"{o['seconds_per_step']:.3f}",
                f"{p['seconds_per_step']:.3f}",
                f"{row['ratio']:.2f}×",
                f"{o['gflops_per_s']:.0f} / {p['gflops_per_s']:.0f}",
                f"{o['flops_per_step'] / 1e9:.1f} / {p['flops_per_step'] / 1e9:.1f}",
                f"{mib(o['peak_rss_mib'])} / {mib(p['peak_rss_mib'])}",
                e2e,
                "—",
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))))
    lines.append("")
    imports = [row["ours"]["rss_after_imports_mib"] for row in report["sizes"] if row["ours"]["rss_after_imports_mib"]]
    if imports:
        lines.append(f"peak RSS is per fresh process and includes ~{min(imports):.0f} MiB of python, torch and diffusers imports.")
    target = report["target"]
    best = max(row["ours"]["gflops_per_s"] for row in report["sizes"])
    lines.append(f"ours reaches up to {100 * best / bf16_peak:.0f}% of the bf16 matmul rate.")
    verdict = "met" if target["met"] else "NOT met"
    lines.append(f"target ours ≤ {target['max_ratio']:.2f}× peer s/step at every size: {verdict} (worst {target['worst_ratio']:.2f}×)")
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`kinema bench`'s options."""
    from kinema.engines import DEFAULT_MODEL

    parser.add_argument("--model", default=None, help=f"model name or checkpoint folder (default {DEFAULT_MODEL})")
    parser.add_argument("--sizes", nargs="+", help="WxH sizes, space- or comma-separated (default: the model's size, 2× and 3× its sides)")
    parser.add_argument("--seconds", type=float, help="video duration the latent shape is made for (default: the model's)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help=f"timed steps per network and size; the median is reported (default {DEFAULT_REPEATS})")
    parser.add_argument("--steps-e2e", type=int, help="denoising steps of the end-to-end run (default: the model's)")
    parser.add_argument("--no-e2e", action="store_true", help="skip end-to-end generation")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure to this JSON file")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's current count)")
    parser.add_argument("--device", default="cpu", help="diffusers models: torch device, e.g. cuda (the native bench runs on the CPU)")
    from kinema.cli import add_diffusers_arguments

    add_diffusers_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Check the options, run the bench, print the table, write --json; returns the exit code."""
    from kinema.checkpoint import read_config
    from kinema.engines import locate_model, resolve_model
    from kinema.engines.base import RequestError, VideoRequest, resolve

    entry = locate_model(args.model)
    if entry.engine == "diffusers":
        return run_diffusers_command(args, entry)
    if args.device != "cpu":
        raise RequestError(f"--device {args.device}: the native bench runs on the CPU; --device is for diffusers models", param="device")
    from kinema.cli import diffusers_options
    from kinema.engines.native import capabilities

    diffusers_options(args, entry.engine, entry.name)  # a diffusers-only flag on a native model is an error
    folder = resolve_model(args.model)
    config = read_config(folder)
    caps = capabilities(config)
    sizes = [part.strip() for item in (args.sizes or []) for part in item.split(",") if part.strip()] or None
    for size in sizes or default_sizes(config):
        # every check the engine would make, before minutes of measuring
        resolve(VideoRequest(prompt="bench", size=size, seconds=args.seconds, steps=args.steps_e2e), caps, seed=0)
    if args.repeats < 1:
        raise RequestError(f"repeats {args.repeats} must be at least 1", param="repeats")
    if args.threads is not None and args.threads < 1:
        raise RequestError(f"threads {args.threads} must be at least 1", param="threads")
    try:
        import diffusers  # noqa: F401
    except ImportError:
        raise RequestError("kinema bench needs diffusers for its peer network: pip install 'kinema[bench]'") from None
    if args.json is not None:
        parent = args.json.expanduser().resolve().parent
        if not parent.is_dir() or not os.access(parent, os.W_OK):
            raise RequestError(f"cannot write --json {str(args.json)!r}: folder {str(parent)!r} is missing or not writable", param="json")

    report = run_bench(
        folder,
        sizes=sizes,
        seconds=args.seconds,
        repeats=args.repeats,
        steps_e2e=args.steps_e2e,
        e2e=not args.no_e2e,
        threads=args.threads,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(format_report(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def run_diffusers_command(args: argparse.Namespace, entry) -> int:
    """`kinema bench` for a diffusers model: check the options, measure each size, print and write."""
    import torch

    from kinema.cli import DIFFUSERS_FLAGS
    from kinema.engines.base import RequestError, VideoRequest
    from kinema.engines.open_weights import options_from, plan_request

    info = entry.info()
    sizes = [part.strip() for item in (args.sizes or []) for part in item.split(",") if part.strip()] or [info.capabilities.default_size]
    for size in sizes:  # every check the engine would make, before loading anything
        plan_request(info, VideoRequest(prompt="bench", size=size, seconds=args.seconds, steps=args.steps_e2e), seed=0)
    options = {name: getattr(args, name) for name in DIFFUSERS_FLAGS if getattr(args, name, None) is not None}
    options_from(options)
    if args.threads is not None and args.threads < 1:
        raise RequestError(f"threads {args.threads} must be at least 1", param="threads")
    if args.json is not None:
        parent = args.json.expanduser().resolve().parent
        if not parent.is_dir() or not os.access(parent, os.W_OK):
            raise RequestError(f"cannot write --json {str(args.json)!r}: folder {str(parent)!r} is missing or not writable", param="json")
    report = run_diffusers(
        entry, sizes, args.seconds, args.steps_e2e, args.device, options, args.threads or torch.get_num_threads(),
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(format_diffusers_report(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0
