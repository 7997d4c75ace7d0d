"""The diffusers engine: published open weights (Wan 2.1 / 2.2, LTX-Video, CogVideoX, HunyuanVideo).

What each model is and can do lives in `open_weights.py` (no torch there); this file runs them.
`DiffusersEngine.generate` has the native engine's shape, one numbered step after another:

1. plan: check the mode and its inputs, fill the size from the input's aspect, snap fps and the frame
   count to what the model makes (1 + 4k frames for Wan, 1 + 8k for LTX-Video, …), and record every
   adjustment in the result's metadata — the nearest supported output, never a silent substitute;
2. read the mode's inputs (a still, the source's last or first frame, the target's first frame, the
   source's frames for an edit) and fit them to the output size (centre crop, then resize);
3. run the family's diffusers pipeline for the mode — text-to-video, image-to-video, first–last frame,
   keyframe conditioning (LTX-Video) or video-to-video (SDEdit) — reporting progress per step;
4. write the frames to the MP4 through `kinema.video.VideoWriter` with the same provenance stamp as
   the native engine (`engines.base.provenance_stamp`: watermark, signed C2PA manifest, fingerprints),
   so the service, safety and provenance treat both engines alike. `render` stops before this step and
   returns the frames in memory (no PyAV needed, e.g. on a GPU machine without it).

How modes map onto pipelines (a mode's pipeline shares the loaded components, nothing is loaded twice):

| mode | Wan (T2V weights) | Wan (I2V / FLF2V weights) | LTX-Video | CogVideoX | HunyuanVideo |
|---|---|---|---|---|---|
| text-to-video, image | WanPipeline | — | LTXPipeline | CogVideoXPipeline | HunyuanVideoPipeline |
| image-to-video | (Wan 2.2 5B) | WanImageToVideoPipeline | LTXImageToVideoPipeline | …ImageToVideoPipeline (I2V weights) | — |
| extend | (Wan 2.2 5B) | first frame = source's last | first frame / last keyframe | first frame = source's last | — |
| connect | — | first + last frame | two keyframes (LTXConditionPipeline) | — | — |
| edit | WanVideoToVideoPipeline | — | LTXConditionPipeline, latents + denoise strength | …VideoToVideoPipeline | — |

`extend` returns the continuation only (its first frame follows the source's last, so the two play
back to back); `connect` returns the frames between the source's end and the target's start.

diffusers is an optional extra (`pip install kinema[diffusers]`): it is imported when an engine is
built, never when Kinema is imported.
"""

from __future__ import annotations

import importlib
import json
import secrets
import time
from pathlib import Path

import numpy as np
import torch

from kinema.engines.base import Capabilities, GeneratedVideo, ProgressFn, RequestError, ResolvedRequest, VideoRequest, provenance_stamp
from kinema.engines.open_weights import (
    ATTENTION,
    FAMILIES,
    DiffusersOptions,
    FolderInfo,
    ModelInfo,
    Plan,
    choose_options,
    folder_model,
    inspect_folder,
    plan_request,
)

TORCH_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
LIBRARIES = ("diffusers", "transformers")
"""The only libraries a model_index.json may name: a folder must not make Kinema import anything else."""

# Which pipeline class serves each (family, role). Roles: t2v (noise → video), i2v (first frame given),
# keyframes (frames at any index), v2v (SDEdit from a source video).
PIPELINE_FOR = {
    ("wan", "t2v"): "WanPipeline",
    ("wan", "i2v"): "WanImageToVideoPipeline",
    ("wan", "v2v"): "WanVideoToVideoPipeline",
    ("ltx", "t2v"): "LTXPipeline",
    ("ltx", "i2v"): "LTXImageToVideoPipeline",
    ("ltx", "keyframes"): "LTXConditionPipeline",
    ("ltx", "v2v"): "LTXConditionPipeline",
    ("cogvideox", "t2v"): "CogVideoXPipeline",
    ("cogvideox", "i2v"): "CogVideoXImageToVideoPipeline",
    ("cogvideox", "v2v"): "CogVideoXVideoToVideoPipeline",
    ("hunyuanvideo", "t2v"): "HunyuanVideoPipeline",
}


def require_diffusers():
    """The diffusers module, or a RequestError saying how to install it."""
    try:
        import diffusers
        import transformers
    except ImportError:
        raise RequestError("the diffusers engine needs the diffusers extra: pip install 'kinema[diffusers]'", param="model") from None
    # Kinema reports its own progress and errors; the libraries' loading bars and advisories are noise
    # in a CLI and in a service's logs.
    for library in (diffusers, transformers):
        library.utils.logging.disable_progress_bar()
        library.utils.logging.set_verbosity_error()
    return diffusers


def cuda_memory_gib(device: torch.device) -> float | None:
    """Total memory of the CUDA device in GiB; None for a CPU."""
    if device.type != "cuda":
        return None
    return torch.cuda.get_device_properties(device).total_memory / 2**30


# --- loading --------------------------------------------------------------------------------------


def _component_dtype(family: str, name: str, dtype: torch.dtype) -> torch.dtype:
    """Wan's VAE and CLIP image encoder stay in fp32, as Wan's own code and diffusers' examples keep them:
    they are small, and the VAE's decode is visibly worse in bf16."""
    if family == "wan" and name in ("vae", "image_encoder"):
        return torch.float32
    return dtype


def _quantization_config(options: DiffusersOptions, dtype: torch.dtype, device: torch.device):
    """diffusers' quantization config for the transformer, or None; a RequestError if its package is missing."""
    if options.quantize in ("none", "fp8"):
        return None  # fp8 is layerwise casting, applied after loading
    diffusers = require_diffusers()
    if options.quantize == "int8":
        if importlib.util.find_spec("torchao") is None:
            raise RequestError("quantize int8 needs torchao: pip install torchao", param="quantize")
        return diffusers.TorchAoConfig("int8wo")
    if device.type != "cuda":
        raise RequestError("quantize nf4 (bitsandbytes) needs a CUDA device", param="quantize")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise RequestError("quantize nf4 needs bitsandbytes: pip install bitsandbytes", param="quantize")
    return diffusers.BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype)


def load_components(info: FolderInfo, family: str, options: DiffusersOptions, device: torch.device) -> dict:
    """Every component model_index.json lists, each loaded from its subfolder by its own class.

    Loading one component at a time means a failure names the subfolder that caused it, and each
    component gets its own dtype (and the transformer its quantization).
    """
    require_diffusers()
    dtype = TORCH_DTYPES[options.dtype]
    components = {}
    for name, (library, class_name) in info.components.items():
        path = info.folder / name
        if library not in LIBRARIES:
            raise RequestError(f"{info.folder / 'model_index.json'}: {name} comes from {library!r}; Kinema loads only {', '.join(LIBRARIES)}", param="model")
        cls = getattr(importlib.import_module(library), class_name, None)
        if cls is None:
            raise RequestError(f"{path}/: {library} has no class {class_name} (named in model_index.json); a newer {library} may", param="model")
        kwargs: dict = {}
        if hasattr(cls, "parameters"):  # a network, not a tokenizer / scheduler / processor
            kwargs["torch_dtype"] = _component_dtype(family, name, dtype)
            if name.startswith("transformer"):
                quantization = _quantization_config(options, dtype, device)
                if quantization is not None:
                    kwargs["quantization_config"] = quantization
        try:
            components[name] = cls.from_pretrained(path, **kwargs)
        except RequestError:
            raise
        except Exception as error:  # a corrupt or mismatched file: name the component and the cause
            raise RequestError(f"cannot load {path}/ ({type(error).__name__}: {_first_line(error)})", param="model") from error
    return components


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else ""


# --- the engine -----------------------------------------------------------------------------------


class DiffusersEngine:
    """A diffusers pipeline behind Kinema's Engine interface."""

    def __init__(
        self,
        folder: Path,
        device: str | torch.device = "cpu",
        options: DiffusersOptions | None = None,
        name: str | None = None,
        source: str | None = None,
        provenance=None,
    ):
        """`provenance`: as the native engine's (`engines.base.provenance_stamp`): the service's own, None
        for this installation's, or False for none (benchmarks only)."""
        start = time.perf_counter()
        self.provenance = provenance
        self.device = torch.device(device)
        folder_info = inspect_folder(Path(folder))
        self.info: ModelInfo = folder_model(folder_info, name=name)
        self.name = self.info.name
        self.source = source or str(folder)
        self.options = self._choose(options or DiffusersOptions())
        diffusers = require_diffusers()

        self.components = load_components(folder_info, self.info.family, self.options, self.device)
        self.config = {k: v for k, v in folder_info.index.items() if not k.startswith("_") and not isinstance(v, list)}
        self._diffusers = diffusers
        self._pipelines: dict[str, object] = {}
        self._active = None
        self.applied: dict = {}
        self._apply_options()
        self._activate(self._pipeline(folder_info.pipeline))
        self.load_seconds = time.perf_counter() - start

    # -- options --

    def _choose(self, options: DiffusersOptions) -> DiffusersOptions:
        """Fill "auto" fields from the device's memory (`choose_options`); check what the device allows."""
        bf16 = self.device.type != "cuda" or torch.cuda.is_bf16_supported()
        chosen = options.merged_over(choose_options(cuda_memory_gib(self.device), self.info.params, bf16=bf16))
        if self.device.type != "cuda" and chosen.offload != "none":
            raise RequestError(f"offload {chosen.offload!r} moves weights onto a GPU; device {self.device} is not one", param="offload")
        if chosen.attention != "sdpa" and not self.info.family_info.attention_dispatch:
            raise RequestError(
                f"attention {chosen.attention!r} is not available for {self.info.family_info.title}: its transformer calls "
                "PyTorch's scaled_dot_product_attention directly; use sdpa",
                param="attention",
            )
        return chosen

    def _denoisers(self) -> list:
        return [self.components[n] for n in ("transformer", "transformer_2") if self.components.get(n) is not None]

    def _apply_options(self) -> None:
        """Apply the chosen options to the loaded components, in the order diffusers documents:
        storage casting, attention, caching, VAE tiling, placement (offload), then compile."""
        o, dtype = self.options, TORCH_DTYPES[self.options.dtype]
        hooks = False
        for model in self._denoisers():
            if o.quantize == "fp8":
                # Weights stored in float8, each layer upcast to `dtype` just for its forward: half the
                # memory of bf16, no extra package (diffusers' layerwise casting).
                model.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype)
                hooks = True
            if o.attention != "sdpa":
                self._set_attention(model, ATTENTION[o.attention])
            if o.cache != "none":
                model.enable_cache(self._cache_config())
                hooks = True
        vae = self.components["vae"]
        if o.vae_tiling and hasattr(vae, "enable_tiling"):
            vae.enable_tiling()
        if o.vae_slicing and hasattr(vae, "enable_slicing"):
            vae.enable_slicing()
        if o.offload == "none":
            for component in self.components.values():
                if o.quantize == "nf4" and getattr(component, "hf_quantizer", None) is not None:
                    continue  # bitsandbytes put these weights on the GPU while loading; they cannot move
                if isinstance(component, torch.nn.Module):
                    component.to(self.device)
        elif o.offload == "group":
            # Layer by layer, prefetched on a side CUDA stream while the previous layer computes: the GPU
            # holds activations and a few layers, whatever the model's size (diffusers' group offload).
            from diffusers.hooks import apply_group_offloading

            for name, component in self.components.items():
                if isinstance(component, torch.nn.Module):
                    apply_group_offloading(
                        component, onload_device=self.device, offload_device=torch.device("cpu"),
                        offload_type="leaf_level", use_stream=True,
                    )
            hooks = True
        if o.compile:
            for model in self._denoisers():
                self._compile(model, fullgraph=not hooks)
        self.applied = {**o.to_dict(), "device": str(self.device)}

    def _set_attention(self, model, backend: str) -> None:
        """Route `model`'s attention through `backend`, for this model only.

        diffusers' `set_attention_backend` sets each attention processor's backend and also the
        process-wide default; the default is put back, or every other model in the process (a worker
        holding two engines, a bench's peer network) would silently switch too.
        """
        from diffusers.models.attention_dispatch import _AttentionBackendRegistry

        previous = _AttentionBackendRegistry._active_backend
        try:
            model.set_attention_backend(backend)
        except (ImportError, RuntimeError, ValueError) as error:
            raise RequestError(f"attention {self.options.attention!r} is not usable here: {_first_line(error)}", param="attention") from error
        finally:
            _AttentionBackendRegistry.set_active_backend(previous)

    def _cache_config(self):
        from diffusers.hooks import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

        if self.options.cache == "first-block":
            # First Block Cache (ParaAttention): when the first block's output changed less than the
            # threshold since the last full step, reuse the remaining blocks' cached residual.
            return FirstBlockCacheConfig(threshold=self.options.cache_threshold)
        # Pyramid Attention Broadcast (Zhao et al. 2024): reuse spatial attention outputs every other
        # step in the middle of sampling, where they change least.
        return PyramidAttentionBroadcastConfig(
            spatial_attention_block_skip_range=2,
            spatial_attention_timestep_skip_range=(100, 800),
            current_timestep_callback=lambda: self._active.current_timestep,
        )

    @staticmethod
    def _compile(model, fullgraph: bool) -> None:
        """torch.compile each repeated block (regional compilation: seconds to compile, not minutes)."""
        if getattr(model, "_repeated_blocks", None):
            model.compile_repeated_blocks(fullgraph=fullgraph)
        else:  # CogVideoX declares no repeated blocks; its blocks are `transformer_blocks`
            for block in model.transformer_blocks:
                block.compile(fullgraph=fullgraph)

    # -- pipelines --

    def _pipeline(self, class_name: str):
        """The pipeline of `class_name` over the shared components (built once)."""
        if class_name not in self._pipelines:
            cls = getattr(self._diffusers, class_name)
            import inspect

            accepted = inspect.signature(cls.__init__).parameters
            kwargs = {k: v for k, v in self.components.items() if k in accepted}
            kwargs.update({k: v for k, v in self.config.items() if k in accepted})
            missing = [p for p, spec in accepted.items() if p != "self" and spec.default is inspect.Parameter.empty and p not in kwargs]
            if missing:
                raise RequestError(f"{self.name}: {class_name} needs {', '.join(missing)}, which this model does not have", param="mode")
            pipe = cls(**kwargs)
            pipe.set_progress_bar_config(disable=True)
            self._pipelines[class_name] = pipe
        return self._pipelines[class_name]

    def _activate(self, pipe) -> None:
        """Make `pipe` the one that runs. Model CPU offload is a chain of hooks owned by one pipeline, so
        it moves with the active pipeline; group offload lives on the modules and needs nothing."""
        if pipe is self._active:
            return
        if self.options.offload == "model":
            if self._active is not None:
                self._active.remove_all_hooks()
            pipe.enable_model_cpu_offload(device=self.device)
        self._active = pipe

    def capabilities(self) -> Capabilities:
        return self.info.capabilities

    # -- 1. plan, 2. inputs --

    def plan(self, request: VideoRequest, seed: int | None = None, inputs=None) -> Plan:
        """Check and resolve `request` for this model (see `open_weights.plan_request`), then read the
        mode's inputs and fit them to the output size.

        `inputs`: the mode's inputs already read (`kinema.engines.inputs.ModeInputs`, frames in memory)
        for a caller without files; None reads them from the request's files.
        """
        from kinema.engines import inputs as mode_inputs

        if inputs is None:
            plan_request(self.info, request, seed=0)  # every check on the request itself, before reading files
            inputs = mode_inputs.read(request)
        else:
            mode_inputs.check_in_memory(request.mode, inputs, request.direction)
        plan = plan_request(self.info, request, seed=seed, aspect=inputs.aspect, source_seconds=inputs.source_seconds, files=False)
        plan.inputs = self._pipeline_inputs(plan, inputs, request)
        return plan

    def _pipeline_inputs(self, plan: Plan, inputs, request: VideoRequest) -> dict:
        """The mode's frames, fitted to the output size, under the names `_call_kwargs` passes on."""
        from kinema.engines.inputs import fit, sample_video

        r, mode, notes = plan.request, request.mode, plan.notes
        w, h, last_index = r.width, r.height, plan.generate_frames - 1
        if mode == "image-to-video":
            return {"first": fit(inputs.image, w, h, "input_reference", notes)}
        if mode == "extend" and request.direction == "backward":
            return {"keyframes": [(last_index, fit(inputs.source_first, w, h, "source_video", notes))]}
        if mode == "extend":
            return {"first": fit(inputs.source_last, w, h, "source_video", notes)}
        if mode == "connect":
            first = fit(inputs.source_last, w, h, "source_video", notes)
            last = fit(inputs.target_first, w, h, "target_video", notes)
            if plan.role == "keyframes":
                return {"keyframes": [(0, first), (last_index, last)]}
            return {"first": first, "last": last}
        if mode == "edit":
            return {"video": sample_video(inputs.source, inputs.source_fps, r.fps, plan.generate_frames, w, h, notes)}
        return {}

    # -- 3. run --

    def _call_kwargs(self, plan: Plan, pipe, generator: torch.Generator, callback) -> dict:
        r, family = plan.request, self.info.family
        kwargs = dict(
            prompt=r.prompt,
            negative_prompt=r.negative_prompt,
            height=r.height,
            width=r.width,
            num_frames=plan.generate_frames,
            num_inference_steps=r.steps,
            guidance_scale=r.guidance_scale,
            generator=generator,
            output_type="np",
            callback_on_step_end=callback,
        )
        inputs = plan.inputs
        if family == "cogvideox":
            # CogVideoX's position embeddings cover exactly max_text_seq_length text tokens (226 when published).
            kwargs["max_sequence_length"] = self._denoisers()[0].config.max_text_seq_length
        if family == "ltx":
            kwargs["frame_rate"] = r.fps
            if getattr(self.components["vae"].config, "timestep_conditioning", False):
                # LTX-Video ≥ 0.9.1 decodes with a little noise at a small timestep (its model card's values).
                kwargs.update(decode_timestep=0.05, decode_noise_scale=0.025)
        if plan.role == "i2v":
            kwargs["image"] = inputs["first"]
            if "last" in inputs:
                kwargs["last_image"] = inputs["last"]
        elif plan.role == "keyframes":
            from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

            kwargs["conditions"] = [LTXVideoCondition(image=image, frame_index=index) for index, image in inputs["keyframes"]]
        elif plan.role == "v2v":
            if family == "ltx":
                kwargs["latents"] = self._encode_video(pipe, inputs["video"], r)
                kwargs["denoise_strength"] = plan.strength
            else:
                del kwargs["num_frames"]  # the source video's frames decide it
                kwargs["video"] = inputs["video"]
                kwargs["strength"] = plan.strength
        return kwargs

    def _encode_video(self, pipe, frames: list, r: ResolvedRequest) -> torch.Tensor:
        """LTX-Video edit: the source's normalised latents (B, C, F', H', W'), which the pipeline noises
        to `denoise_strength` and denoises from there (SDEdit)."""
        vae = self.components["vae"]
        device = pipe._execution_device
        video = pipe.video_processor.preprocess_video(frames, r.height, r.width).to(device, vae.dtype)  # (1, 3, F, H, W)
        with torch.inference_mode():
            latents = vae.encode(video).latent_dist.mode()
        mean = vae.latents_mean.view(1, -1, 1, 1, 1).to(latents)
        std = vae.latents_std.view(1, -1, 1, 1, 1).to(latents)
        return ((latents - mean) * vae.config.scaling_factor / std).float()  # as LTXConditionPipeline._normalize_latents

    def render(self, request: VideoRequest, progress: ProgressFn | None = None, inputs=None) -> tuple[np.ndarray, Plan, dict[str, float]]:
        """Steps 1–3: the video's frames, (T, H, W, 3) uint8, with the plan and phase timings; nothing is
        written. `inputs`: the mode's inputs in memory (see `plan`)."""
        start = time.perf_counter()
        plan = self.plan(request, seed=secrets.randbits(63) if request.seed is None else None, inputs=inputs)
        r = plan.request
        pipe = self._pipeline(PIPELINE_FOR[(self.info.family, plan.role)])
        self._activate(pipe)
        generator = torch.Generator(device="cpu").manual_seed(r.seed)
        step_times: list[float] = []

        def on_step(pipeline, index, timestep, tensors):
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)  # step times are wall times of finished GPU work
            step_times.append(time.perf_counter())
            if progress is not None:
                progress(index + 1, pipeline.num_timesteps)
            return {}

        kwargs = self._call_kwargs(plan, pipe, generator, on_step)
        prepared = time.perf_counter()
        try:
            output = pipe(**kwargs)
        except torch.OutOfMemoryError as error:
            raise RequestError(
                f"out of GPU memory at {r.size}, {plan.generate_frames} frames with offload {self.options.offload!r}: "
                "try --offload group, --vae-tiling, --quantize fp8 or a smaller size", param="size"
            ) from error
        done = time.perf_counter()
        frames = np.asarray(output.frames[0])  # (T, H, W, 3) float in [0, 1]
        if len(frames) != plan.generate_frames:  # a frame rule in open_weights.py is wrong for this model
            raise RuntimeError(f"{type(pipe).__name__} made {len(frames)} frames where {plan.generate_frames} were planned")
        frames = (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)
        first, last = plan.trim
        frames = frames[first : len(frames) - last]
        intervals = np.diff([prepared] + step_times) if step_times else np.array([0.0])
        step = float(np.median(intervals[1:])) if len(intervals) > 1 else float(intervals[0])
        timings = {
            "inputs": prepared - start,
            "text": max(0.0, (step_times[0] - prepared) - step) if step_times else 0.0,
            "denoise": (step_times[-1] - step_times[0] + step) if step_times else 0.0,
            "decode": done - (step_times[-1] if step_times else prepared),
            "step": step,
        }
        return frames, plan, timings

    # -- 4. write --

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
        from kinema.video import VideoWriter

        start = time.perf_counter()
        frames, plan, timings = self.render(request, progress)
        r = plan.request
        t0 = time.perf_counter()
        metadata = {"comment": json.dumps({"generator": "kinema", "model": self.name, "seed": r.seed})}
        stamp = provenance_stamp(self, r, video_id, request_id)
        with VideoWriter(output, r.fps, metadata=metadata, stamp=stamp) as writer:
            for frame in frames:
                writer.write(frame)
        timings["write"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        details = self.details(plan)
        if stamp is not None:
            details["provenance"] = stamp.details()
        return GeneratedVideo(path=Path(output), model=self.name, request=r, timings=timings, details=details)

    def details(self, plan: Plan) -> dict:
        details = {
            "engine": "diffusers",
            "family": self.info.family,
            "pipeline": PIPELINE_FOR[(self.info.family, plan.role)],
            "source": self.source,
            "options": self.applied,
        }
        if plan.adjusted:
            details["adjusted"] = plan.adjusted
        if plan.notes:
            details["notes"] = plan.notes
        if self.info.hub is None:
            details["defaults"] = f"no published model matches this folder's transformer config; {FAMILIES[self.info.family].title}'s defaults apply"
        return details


__all__ = ["DiffusersEngine", "Plan", "cuda_memory_gib", "load_components", "require_diffusers"]
