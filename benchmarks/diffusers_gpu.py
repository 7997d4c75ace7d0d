"""The diffusers engine on a GPU: (a) every tiny pipeline end to end on CUDA, (b) Wan 2.1 1.3B's step time.

    python benchmarks/diffusers_gpu.py            # on a CUDA machine; writes $OUT/diffusers_gpu.json if $OUT is set
    python benchmarks/diffusers_gpu.py --tiny     # the same code on the CPU with a tiny transformer (a dry run)

Needs torch, diffusers, transformers, safetensors and numpy; part (a) also needs accelerate (diffusers
loads Wan's transformer through it) and reports what is missing instead of failing. PyAV is not needed:
each mode's inputs (a still, a clip's last frame, a target's first) are given as frames in memory and
the output frames are checked in memory, no file is read or written. To prove it on a machine that has
PyAV: python -c "import sys, runpy; sys.modules['av'] = None; sys.argv = ['diffusers_gpu.py', '--tiny',
'--only', 'a']; runpy.run_path('benchmarks/diffusers_gpu.py', run_name='__main__')"

(a) Each tiny random pipeline of `kinema.engines.diffusers_tiny` (Wan T2V / I2V / FLF2V, LTX-Video,
    CogVideoX T2V / I2V, HunyuanVideo) is saved to a folder and loaded by Kinema's engine on CUDA,
    once with the options Kinema chooses from the GPU's memory and, on Wan, once with each option that
    only means something on a GPU (model offload, group offload with CUDA streams, fp8 storage, cuDNN
    attention, First Block Cache, regional compile); each run checks the frames' shape and that they vary.

(b) A WanTransformer3DModel with Wan 2.1 T2V 1.3B's published config (30 layers, width 1536, 12 heads of
    128, FFN 8960, text width 4096, patch 1×2×2, QK RMS-norm across heads, cross-attention norm) and
    random weights — weights do not change the speed of dense kernels — at 480p for 5 s at 16 fps:
    81 frames → latent (16, 21, 60, 104), 21·30·52 = 32,760 tokens, 512 text tokens. One denoising
    step is what WanPipeline does per step: the transformer on the prompt, then on the negative prompt
    (classifier-free guidance), each inside its cache context. Per configuration: seconds per step
    (median of the timed steps, each synchronised) and peak GPU memory (max_memory_allocated).

    | row | what |
    |---|---|
    | diffusers default | `from_pretrained` without a dtype: fp32 weights, PyTorch SDPA |
    | diffusers bf16 | the model card's way: torch_dtype=bfloat16, SDPA — also Kinema's automatic choice on an 80 GB GPU |
    | + cudnn attention | Kinema `--attention cudnn` |
    | + compile | Kinema `--compile`: regional torch.compile of the 30 blocks (warm-up includes compiling) |
    | + first-block cache, skipped step | Kinema `--cache first-block`: what a step costs when the cache skips the other 29 blocks; how many steps it skips depends on real weights, so no average is claimed |
    | group offload (8 GB setting) | Kinema `--offload group`: weights in pinned CPU memory, streamed layer by layer |

Expected on one H100 (80 GB): about 3 minutes in all — imports ~15 s, (a) ~50 s (a tiny compile
included), (b) the fp32 row ~40 s (a warm-up and a timed step of ~20 s each; `--skip-fp32` drops it),
the bf16 rows ~6 s each (~1.5 s a step), compiling the 30 blocks ~45 s.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # Kinema from this checkout

START = time.perf_counter()

WAN_1_3B = dict(
    patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16, text_dim=4096,
    freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024,
)
"""Wan-AI/Wan2.1-T2V-1.3B-Diffusers transformer/config.json."""
WAN_TINY = dict(WAN_1_3B, num_attention_heads=2, attention_head_dim=32, text_dim=64, ffn_dim=128, num_layers=2)
LATENT_480P = (1, 16, 21, 60, 104)  # (B, C, T, H, W): 81 frames / 4 + 1, 480 / 8, 832 / 8
LATENT_TINY = (1, 16, 3, 8, 8)
TEXT_TOKENS = 512  # WanPipeline pads the prompt to max_sequence_length 512


def log(message: str) -> None:
    print(f"[{time.perf_counter() - START:6.1f} s] {message}", file=sys.stderr, flush=True)


# --- (a) the tiny pipelines through Kinema's engine ---------------------------------------------------


def part_a(device: torch.device) -> list[dict]:
    missing = [name for name in ("accelerate",) if importlib.util.find_spec(name) is None]
    if missing:
        log(f"(a) skipped: diffusers needs {', '.join(missing)} to load Wan's transformer; carry its wheel to run (a)")
        return [{"skipped": f"missing {', '.join(missing)}"}]
    from kinema.engines.base import VideoRequest
    from kinema.engines.diffusers import DiffusersEngine
    from kinema.engines.diffusers_tiny import KINDS, build
    from kinema.engines.open_weights import DiffusersOptions

    runs = [(kind, {}) for kind in KINDS]
    if device.type == "cuda":
        runs += [("wan-t2v", o) for o in (
            dict(offload="model"), dict(offload="group"), dict(quantize="fp8"), dict(attention="cudnn"),
            dict(cache="first-block"), dict(compile=True), dict(offload="group", vae_tiling=True, quantize="fp8"),
        )]
    sizes = {"cogvideox-i2v": "16x16"}
    results = []
    with tempfile.TemporaryDirectory(prefix="kinema-gpu-") as tmp:
        folders = {}
        for kind, options in runs:
            row = {"kind": kind, "options": options}
            try:
                if kind not in folders:
                    folders[kind] = build(kind, Path(tmp) / kind)
                # provenance=False: render() writes no file, and a benchmark marks nothing
                engine = DiffusersEngine(folders[kind], device=device, options=DiffusersOptions(**options), provenance=False)
                mode = engine.capabilities().modes[0]
                request = VideoRequest(prompt="a red ball rolls across a table", size=sizes.get(kind, "32x32"), seconds=0.5, steps=2, seed=0, mode=mode)
                frames, plan, timings = engine.render(request, inputs=_mode_inputs())
                expected = (plan.request.frames, plan.request.height, plan.request.width, 3)
                row.update(mode=mode, shape=list(frames.shape), expected=list(expected), applied=engine.applied,
                           ok=frames.shape == expected and bool(frames.std() > 0), seconds=timings["decode"] + timings["denoise"])
            except Exception as error:  # one failing combination must not hide the others
                row.update(ok=False, error=f"{type(error).__name__}: {error}", trace=traceback.format_exc(limit=4))
            log(f"(a) {kind} {options or 'auto'}: {'ok' if row.get('ok') else row.get('skipped') or row.get('error')}")
            results.append(row)
    return results


def _mode_inputs():
    """Every mode's inputs as frames in memory (a still; a source clip that ends grey and a target that
    starts grey), so no file is read and PyAV is not needed; text-to-video ignores them."""
    import numpy as np

    from kinema.engines.inputs import ModeInputs

    grey = np.full((32, 32, 3), 120, np.uint8)
    return ModeInputs(image=grey, source_first=grey // 2, source_last=grey, target_first=grey + 60, source_fps=16.0, source_frames=16)


# --- (b) Wan 2.1 1.3B, one denoising step --------------------------------------------------------------


def step_fn(model, latents, t, cond, uncond):
    """One WanPipeline denoising step: the transformer on the prompt, then on the negative prompt."""

    def step():
        with model.cache_context("cond"):
            a = model(hidden_states=latents, timestep=t, encoder_hidden_states=cond, return_dict=False)[0]
        with model.cache_context("uncond"):
            b = model(hidden_states=latents, timestep=t, encoder_hidden_states=uncond, return_dict=False)[0]
        return b + 5.0 * (a - b)

    return step


def measure(name: str, model, inputs: tuple, device: torch.device, warmup: int, repeats: int) -> dict:
    """Seconds per step (median of `repeats`, after `warmup`) and peak memory of `model` on `inputs`."""
    step = step_fn(model, *inputs)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    with torch.inference_mode():
        t0 = time.perf_counter()
        for _ in range(warmup):
            step()
        sync()
        warm = time.perf_counter() - t0
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = step()
            sync()
            times.append(time.perf_counter() - t0)
    assert torch.isfinite(out.float()).all(), f"{name}: non-finite output"
    row = {
        "config": name,
        "seconds_per_step": statistics.median(times),
        "times": times,
        "warmup_seconds": warm,
        "peak_gpu_mib": torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None,
    }
    log(f"(b) {name}: {row['seconds_per_step']:.3f} s/step" + (f", peak {row['peak_gpu_mib']:.0f} MiB" if row["peak_gpu_mib"] else ""))
    return row


def part_b(device: torch.device, tiny: bool, repeats: int, skip_fp32: bool) -> dict:
    from diffusers import FirstBlockCacheConfig, WanTransformer3DModel
    from diffusers.hooks import apply_group_offloading

    config, shape = (WAN_TINY, LATENT_TINY) if tiny else (WAN_1_3B, LATENT_480P)
    cuda = device.type == "cuda"
    g = torch.Generator(device="cpu").manual_seed(0)

    def inputs(dtype):
        latents = torch.randn(shape, generator=g).to(device, dtype)
        text = torch.randn(2, TEXT_TOKENS, config["text_dim"], generator=g).to(device, dtype)
        return latents, torch.tensor([999.0], device=device), text[:1], text[1:]

    def fresh(dtype):
        torch.manual_seed(0)
        with torch.device(device):  # random init straight on the GPU: seconds, not minutes
            model = WanTransformer3DModel(**config)
        return model.to(dtype).eval().requires_grad_(False)

    rows, skipped = [], {}
    model = fresh(torch.float32)
    params = sum(p.numel() for p in model.parameters())
    log(f"(b) {'a tiny Wan transformer' if tiny else 'Wan 2.1 1.3B architecture'}: {params / 1e9:.3f} B parameters, latent {shape}")
    if skip_fp32:
        skipped["diffusers default (fp32, sdpa)"] = "--skip-fp32"
    else:
        # fp32 attention over 32,760 tokens is ~20 s a step on an H100: one warm-up step, one timed
        rows.append(measure("diffusers default (fp32, sdpa)", model, inputs(torch.float32), device, warmup=1, repeats=1))
    model = model.to(torch.bfloat16)
    bf16 = inputs(torch.bfloat16)
    rows.append(measure("diffusers bf16 (sdpa) = Kinema auto on 80 GB", model, bf16, device, warmup=1, repeats=repeats))
    if cuda:
        model.set_attention_backend("_native_cudnn")
        rows.append(measure("Kinema: bf16 + cudnn attention", model, bf16, device, warmup=1, repeats=repeats))
    else:
        skipped["Kinema: bf16 + cudnn attention"] = "needs CUDA"
    model.enable_cache(FirstBlockCacheConfig(threshold=0.05))  # the same inputs every step: every later step is skipped
    rows.append(measure("Kinema: + first-block cache, skipped step", model, bf16, device, warmup=1, repeats=repeats))
    model.disable_cache()
    if cuda or os.environ.get("KINEMA_COMPILE_ON_CPU"):
        model.compile_repeated_blocks(fullgraph=True)
        rows.append(measure("Kinema: bf16 + cudnn attention + compile" if cuda else "Kinema: bf16 + compile", model, bf16, device, warmup=2, repeats=repeats))
    else:
        skipped["Kinema: + compile"] = "on the CPU only with KINEMA_COMPILE_ON_CPU=1 (minutes of C++ compilation)"
    del model
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
        model = fresh(torch.bfloat16).to("cpu")
        model.set_attention_backend("_native_cudnn")
        apply_group_offloading(model, onload_device=device, offload_device=torch.device("cpu"), offload_type="leaf_level", use_stream=True)
        rows.append(measure("Kinema 8 GB setting: bf16 + cudnn + group offload (leaf, streamed)", model, bf16, device, warmup=1, repeats=repeats))
        del model
    else:
        skipped["Kinema 8 GB setting: group offload"] = "needs CUDA"
    return {"config": config, "latent_shape": list(shape), "text_tokens": TEXT_TOKENS, "parameters": params, "rows": rows, "skipped": skipped}


def table(b: dict) -> str:
    base = next((r for r in b["rows"] if r["config"].startswith("diffusers bf16")), b["rows"][0])
    what = "Wan 2.1 1.3B architecture" if b["config"] == WAN_1_3B else "a tiny Wan transformer (dry run)"
    lines = [f"{what}, latent {tuple(b['latent_shape'])}, {b['text_tokens']} text tokens; one step = 2 transformer calls (CFG)", ""]
    header = ("configuration", "s/step", "vs bf16", "peak GPU MiB")
    rows = [header] + [
        (r["config"], f"{r['seconds_per_step']:.3f}", f"{r['seconds_per_step'] / base['seconds_per_step']:.2f}×",
         "—" if r["peak_gpu_mib"] is None else f"{r['peak_gpu_mib']:.0f}")
        for r in b["rows"]
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines += [f"skipped: {name} ({why})" for name, why in b["skipped"].items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a tiny transformer and latent, on the CPU unless CUDA is there (a dry run)")
    parser.add_argument("--repeats", type=int, default=3, help="timed steps per configuration in (b) (default 3; the fp32 row times 1)")
    parser.add_argument("--skip-fp32", action="store_true", help="(b) without the fp32 row (~40 s on an H100)")
    parser.add_argument("--only", choices=("a", "b"), help="run one part")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type != "cuda" and not args.tiny:
        print("no CUDA device: run on a GPU machine, or with --tiny for a dry run on the CPU", file=sys.stderr)
        return 2
    import diffusers
    import transformers

    env = {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__, "device": str(device),
           "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None, "cuda": torch.version.cuda, "tiny": args.tiny}
    log(f"torch {env['torch']}, diffusers {env['diffusers']}, transformers {env['transformers']}, {env['gpu'] or 'CPU'}")
    report = {"environment": env}
    if args.only != "b":
        report["a"] = part_a(device)
    if args.only != "a":
        report["b"] = part_b(device, args.tiny, args.repeats, args.skip_fp32)
        print(table(report["b"]))
    if "a" in report:
        ok = sum(1 for r in report["a"] if r.get("ok"))
        failed = [f"{r['kind']} {r['options']}" for r in report["a"] if r.get("ok") is False]
        print(f"\n(a) tiny pipelines on {device}: {ok} ok, {len(failed)} failed" + (f": {'; '.join(failed)}" if failed else ""))
    report["seconds"] = time.perf_counter() - START
    out = os.environ.get("OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "diffusers_gpu.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        log(f"wrote {Path(out) / 'diffusers_gpu.json'}")
    log("done")
    failed_a = any(r.get("ok") is False for r in report.get("a", []))
    return 1 if failed_a else 0


if __name__ == "__main__":
    sys.exit(main())
