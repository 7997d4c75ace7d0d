"""Published open video models that run through diffusers: what each is, what it can do, how it fits a GPU.

This module reads JSON and safetensors headers only — no torch, no diffusers — so `kinema models`, the
CLI's checks before loading, and the service's API process (which never imports torch) can use it.
The engine that runs the models is `engines/diffusers.py`.

- **Families** (`FAMILIES`): Wan 2.1 / 2.2, LTX-Video, CogVideoX, HunyuanVideo — the frame rate, sizes,
  longest clip and sampling defaults each was published with.
- **Pipelines** (`PIPELINES`): what a diffusers folder's `model_index.json` `_class_name` means — its
  family and which Kinema modes its weights can do (a text-to-video transformer cannot take an image
  latent; an image-to-video one cannot start from noise alone).
- **Hub models** (`HUB_MODELS`): the published repositories Kinema knows by a short name, with their
  sizes in parameters, so defaults can be chosen before anything is downloaded.
- **Folders** (`inspect_folder`): a local diffusers folder is checked file by file before any weight is
  read; a missing or mismatched file is a `RequestError` naming it.
- **Options** (`DiffusersOptions`, `choose_options`): dtype, offloading, VAE tiling, quantization,
  compile, attention backend and step caching, with defaults chosen from the GPU's memory.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from kinema.engines.base import Capabilities, RequestError, ResolvedRequest, VideoRequest, parse_size, resolve

MODEL_INDEX = "model_index.json"
GIB = 2**30


# --- families -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    fps: float
    """The frame rate its motion was trained at: frames written faster or slower play too fast or slow."""
    fps_range: tuple[float, float] | None
    """Frame rates it takes as an input (LTX-Video conditions its positions on the rate); None: fixed."""
    default_size: str
    sizes: tuple[str, ...]
    max_side: int
    max_frames: int
    default_steps: int
    default_guidance_scale: float
    attention_dispatch: bool
    """Its transformer routes attention through diffusers' backend dispatcher (`set_attention_backend`)."""


FAMILIES: dict[str, Family] = {
    # Wan 2.1 report, §4: 16 fps, 81 frames (5 s), 480p and 720p.
    "wan": Family("wan", "Wan 2.1 / 2.2", 16.0, None, "832x480", ("832x480", "480x832"), 1280, 81, 50, 5.0, True),
    # LTX-Video: 8k+1 frames up to 257, 24 fps by default, any rate given to the model as `frame_rate`.
    "ltx": Family("ltx", "LTX-Video", 24.0, (8.0, 30.0), "704x480", ("704x480", "480x704", "768x512", "512x768"), 1280, 257, 50, 3.0, True),
    # CogVideoX: 49 frames at 8 fps (6 s), 720x480.
    "cogvideox": Family("cogvideox", "CogVideoX", 8.0, None, "720x480", ("720x480",), 720, 49, 50, 6.0, False),
    # HunyuanVideo: 129 frames at 24 fps, 720p and 544p; guidance is distilled into the model (embedded).
    "hunyuanvideo": Family(
        "hunyuanvideo", "HunyuanVideo", 24.0, None, "960x544", ("960x544", "544x960", "1280x720", "720x1280"), 1280, 129, 50, 6.0, True
    ),
}


@dataclass(frozen=True)
class PipelineKind:
    family: str
    modes: tuple[str, ...]
    """What the folder's weights can do. Modes served by a sibling pipeline reuse the same components."""


PIPELINES: dict[str, PipelineKind] = {
    # Text-to-video weights also edit (SDEdit through the video-to-video pipeline) and make stills.
    "WanPipeline": PipelineKind("wan", ("text-to-video", "edit", "image")),
    "WanVideoToVideoPipeline": PipelineKind("wan", ("text-to-video", "edit", "image")),
    # Image-to-video weights: the first frame given. Which also take a last frame depends on the
    # transformer (see `_modes`): Wan 2.1 FLF2V only works from both, Wan 2.2 I2V from one or both.
    "WanImageToVideoPipeline": PipelineKind("wan", ("image-to-video", "extend")),
    # One LTX-Video transformer serves every mode: frame conditioning at any index (LTXConditionPipeline).
    "LTXPipeline": PipelineKind("ltx", ("text-to-video", "image-to-video", "extend", "connect", "edit", "image")),
    "LTXImageToVideoPipeline": PipelineKind("ltx", ("text-to-video", "image-to-video", "extend", "connect", "edit", "image")),
    "LTXConditionPipeline": PipelineKind("ltx", ("text-to-video", "image-to-video", "extend", "connect", "edit", "image")),
    "CogVideoXPipeline": PipelineKind("cogvideox", ("text-to-video", "edit")),
    "CogVideoXVideoToVideoPipeline": PipelineKind("cogvideox", ("text-to-video", "edit")),
    "CogVideoXImageToVideoPipeline": PipelineKind("cogvideox", ("image-to-video", "extend")),
    "HunyuanVideoPipeline": PipelineKind("hunyuanvideo", ("text-to-video", "image")),
}

DIRECTIONS = {"extend": {"ltx": ("forward", "backward")}}
"""Extend directions beyond "forward" (conditioning on the source's last frame, which every family can do)."""


# --- published models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HubModel:
    name: str
    repo: str
    family: str
    pipeline: str
    params: dict[str, float]
    """Billions of parameters per component (counted from the published configs)."""
    description: str
    signature: dict = field(default_factory=dict)
    """Transformer config values that tell this model apart, so a local copy gets its defaults."""
    sizes: tuple[str, ...] = ()
    default_size: str = ""
    fps: float = 0.0
    max_frames: int = 0
    default_steps: int = 0
    default_guidance_scale: float = 0.0
    second_transformer: bool = False
    """Wan 2.2 A14B: a high-noise and a low-noise expert (`transformer_2`)."""

    def family_value(self, name: str):
        """This model's value for a Family field, or the family's when the model does not say."""
        own = getattr(self, name, None)
        return own if own else getattr(FAMILIES[self.family], name)

    @property
    def gib(self) -> float:
        """Size of all its weights in bf16, GiB."""
        return sum(self.params.values()) * 1e9 * 2 / GIB


WAN_TEXT = {"text_encoder": 5.68, "vae": 0.13}  # UMT5-XXL encoder; Wan VAE
T5_XXL = 4.76
_WAN_480 = ("832x480", "480x832")
_WAN_720 = ("1280x720", "720x1280", "832x480", "480x832")

HUB_MODELS: tuple[HubModel, ...] = (
    HubModel("wan2.1-t2v-1.3b", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "wan", "WanPipeline", {"transformer": 1.42, **WAN_TEXT},
             "Wan 2.1 text-to-video, 1.3B: 480p, 5 s at 16 fps; fits an 8 GB GPU with group offload",
             {"num_layers": 30, "num_attention_heads": 12, "in_channels": 16}, _WAN_480),
    HubModel("wan2.1-t2v-14b", "Wan-AI/Wan2.1-T2V-14B-Diffusers", "wan", "WanPipeline", {"transformer": 14.29, **WAN_TEXT},
             "Wan 2.1 text-to-video, 14B: 480p and 720p", {"num_layers": 40, "num_attention_heads": 40, "in_channels": 16},
             _WAN_720, "1280x720"),
    HubModel("wan2.1-i2v-14b-480p", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "wan", "WanImageToVideoPipeline",
             {"transformer": 16.39, "image_encoder": 0.63, **WAN_TEXT}, "Wan 2.1 image-to-video, 14B, 480p",
             {"num_layers": 40, "num_attention_heads": 40, "in_channels": 36, "image_dim": 1280, "pos_embed_seq_len": None}, _WAN_480),
    HubModel("wan2.1-i2v-14b-720p", "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers", "wan", "WanImageToVideoPipeline",
             {"transformer": 16.39, "image_encoder": 0.63, **WAN_TEXT}, "Wan 2.1 image-to-video, 14B, 720p",
             {"num_layers": 40, "num_attention_heads": 40, "in_channels": 36, "image_dim": 1280, "pos_embed_seq_len": None},
             ("1280x720", "720x1280"), "1280x720"),
    HubModel("wan2.1-flf2v-14b-720p", "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", "wan", "WanImageToVideoPipeline",
             {"transformer": 16.39, "image_encoder": 0.63, **WAN_TEXT},
             "Wan 2.1 first–last-frame-to-video, 14B, 720p: a transition from one video's end to another's start",
             {"num_layers": 40, "num_attention_heads": 40, "in_channels": 36, "image_dim": 1280, "pos_embed_seq_len": 514},
             ("1280x720", "720x1280"), "1280x720"),
    HubModel("wan2.2-t2v-a14b", "Wan-AI/Wan2.2-T2V-A14B-Diffusers", "wan", "WanPipeline",
             {"transformer": 14.29, "transformer_2": 14.29, **WAN_TEXT},
             "Wan 2.2 text-to-video, two 14B experts (high / low noise): 480p and 720p",
             {"num_layers": 40, "num_attention_heads": 40, "in_channels": 16}, _WAN_720, "1280x720", second_transformer=True),
    HubModel("wan2.2-i2v-a14b", "Wan-AI/Wan2.2-I2V-A14B-Diffusers", "wan", "WanImageToVideoPipeline",
             {"transformer": 14.29, "transformer_2": 14.29, **WAN_TEXT},
             "Wan 2.2 image-to-video, two 14B experts: 480p and 720p; first frame, or first and last",
             {"num_layers": 40, "num_attention_heads": 40, "in_channels": 36, "image_dim": None}, _WAN_720, "1280x720", second_transformer=True),
    HubModel("wan2.2-ti2v-5b", "Wan-AI/Wan2.2-TI2V-5B-Diffusers", "wan", "WanPipeline", {"transformer": 5.0, "text_encoder": 5.68, "vae": 0.7},
             "Wan 2.2 text- and image-to-video, 5B: 720p at 24 fps, 5 s",
             {"num_layers": 30, "num_attention_heads": 24, "in_channels": 48}, ("1280x704", "704x1280"), "1280x704", 24.0, 121),
    HubModel("ltx-video", "Lightricks/LTX-Video", "ltx", "LTXPipeline", {"transformer": 1.92, "text_encoder": T5_XXL, "vae": 0.42},
             "LTX-Video 2B (0.9.1): fast, 24 fps, up to 257 frames; every mode through frame conditioning",
             {"num_layers": 28, "num_attention_heads": 32}),
    HubModel("ltx-video-0.9.5", "Lightricks/LTX-Video-0.9.5", "ltx", "LTXConditionPipeline",
             {"transformer": 1.92, "text_encoder": T5_XXL, "vae": 0.42},
             "LTX-Video 2B 0.9.5: 768x512, keyframe conditioning", {"num_layers": 28, "num_attention_heads": 32},
             ("768x512", "512x768", "704x480", "480x704"), "768x512", default_steps=40),
    HubModel("cogvideox-2b", "THUDM/CogVideoX-2b", "cogvideox", "CogVideoXPipeline", {"transformer": 1.69, "text_encoder": T5_XXL, "vae": 0.22},
             "CogVideoX 2B: 720x480, 6 s at 8 fps", {"num_layers": 30, "num_attention_heads": 30}),
    HubModel("cogvideox-5b", "THUDM/CogVideoX-5b", "cogvideox", "CogVideoXPipeline", {"transformer": 5.57, "text_encoder": T5_XXL, "vae": 0.22},
             "CogVideoX 5B: 720x480, 6 s at 8 fps", {"num_layers": 42, "num_attention_heads": 48, "in_channels": 16}),
    HubModel("cogvideox-5b-i2v", "THUDM/CogVideoX-5b-I2V", "cogvideox", "CogVideoXImageToVideoPipeline",
             {"transformer": 5.57, "text_encoder": T5_XXL, "vae": 0.22}, "CogVideoX 5B image-to-video: 720x480 only",
             {"num_layers": 42, "num_attention_heads": 48, "in_channels": 32}),
    HubModel("cogvideox1.5-5b", "THUDM/CogVideoX1.5-5B", "cogvideox", "CogVideoXPipeline",
             {"transformer": 5.57, "text_encoder": T5_XXL, "vae": 0.22}, "CogVideoX 1.5 5B: 1360x768, 5 s at 16 fps",
             {"num_layers": 42, "num_attention_heads": 48, "patch_size_t": 2, "in_channels": 16},
             ("1360x768", "768x1360"), "1360x768", 16.0, 81),
    HubModel("hunyuanvideo", "hunyuanvideo-community/HunyuanVideo", "hunyuanvideo", "HunyuanVideoPipeline",
             {"transformer": 12.82, "text_encoder": 7.5, "text_encoder_2": 0.12, "vae": 0.25},
             "HunyuanVideo 13B: 544p and 720p, 129 frames at 24 fps", {"num_layers": 20, "num_single_layers": 40}),
)


def hub_model(name: str) -> HubModel | None:
    """The known model with this short name or repository id (case-insensitive), or None."""
    wanted = name.strip().lower()
    for model in HUB_MODELS:
        if wanted in (model.name, model.repo.lower()):
            return model
    return None


# --- frames, sizes, fps ---------------------------------------------------------------------------


def valid_frame_counts(step: int, max_frames: int) -> list[int]:
    """Video frame counts a model with temporal step `step` makes: 1 + step·k (k ≥ 1) up to max_frames."""
    return list(range(1 + step, max_frames + 1, step))


def nearest_frames(wanted: int, step: int, max_frames: int, at_least: int = 1) -> int:
    """The count 1 + step·k nearest `wanted` (ties go up), at least `at_least`, at most max_frames."""
    counts = [n for n in valid_frame_counts(step, max_frames) if n >= at_least]
    if not counts:
        raise RequestError(f"the model makes at most {max_frames} frames; {at_least} are needed", param="seconds")
    return min(counts, key=lambda n: (abs(n - wanted), -n))


def nearest_size(aspect: float, sizes: tuple[str, ...]) -> str:
    """Of `sizes`, the one whose width/height is closest to `aspect` (log scale: 2:1 and 1:2 are as far from 1:1)."""
    def distance(size: str) -> float:
        w, h = parse_size(size)
        return abs(math.log(w / h) - math.log(aspect))

    return min(sizes, key=distance)


# --- folders --------------------------------------------------------------------------------------


WEIGHT_SUFFIXES = (".safetensors", ".bin")
TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json", "tokenizer.model", "vocab.txt")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise RequestError(f"model folder is missing {path}", param="model") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestError(f"{path} is not readable JSON ({error})", param="model") from error
    if not isinstance(data, dict):
        raise RequestError(f"{path} is not a JSON object", param="model")
    return data


def _weight_files(folder: Path) -> list[Path]:
    """The weight files of one component folder: every shard named by an index, or the single files."""
    for index in sorted(folder.glob("*.safetensors.index.json")) + sorted(folder.glob("*.bin.index.json")):
        shards = sorted(set(_read_json(index).get("weight_map", {}).values()))
        missing = [name for name in shards if not (folder / name).is_file()]
        if missing:
            raise RequestError(f"model folder is missing {folder / missing[0]} (a shard listed in {index.name})", param="model")
        return [folder / name for name in shards]
    files = sorted(p for p in folder.iterdir() if p.suffix in WEIGHT_SUFFIXES and p.is_file())
    plain = [p for p in files if p.name.count(".") == 1]  # not a variant such as model.fp16.safetensors
    return plain or files


def safetensors_params(path: Path) -> int:
    """Parameter count of a safetensors file, from its header alone (8-byte length, then JSON)."""
    try:
        with path.open("rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            if length > 100 * 2**20:
                raise ValueError(f"header length {length} is implausible")
            header = json.loads(f.read(length))
    except (OSError, struct.error, ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"{path} is not a safetensors file ({error})", param="model") from error
    return sum(math.prod(entry["shape"]) for key, entry in header.items() if key != "__metadata__")


@dataclass(frozen=True)
class FolderInfo:
    """What a diffusers folder holds, read from its JSON files (no weights loaded)."""

    folder: Path
    pipeline: str
    components: dict[str, tuple[str, str]]
    """name → (library, class) for every component present, as model_index.json lists them."""
    configs: dict[str, dict]
    """name → that component's config.json (models) or scheduler_config.json."""
    index: dict
    params: dict[str, float]
    """Billions of parameters per model component (from safetensors headers; .bin files count 0)."""


def inspect_folder(folder: Path) -> FolderInfo:
    """Check a diffusers folder file by file; a RequestError names the first missing or mismatched file."""
    folder = Path(folder)
    index = _read_json(folder / MODEL_INDEX)
    pipeline = index.get("_class_name")
    if pipeline not in PIPELINES:
        known = ", ".join(sorted(PIPELINES))
        raise RequestError(f"{folder / MODEL_INDEX}: pipeline {pipeline!r} is not one Kinema runs; it runs: {known}", param="model")
    components: dict[str, tuple[str, str]] = {}
    configs: dict[str, dict] = {}
    params: dict[str, float] = {}
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2 or value[0] is None:
            continue  # config values (boundary_ratio, …) and absent optional components
        library, cls = value
        sub = folder / name
        if not sub.is_dir():
            raise RequestError(f"model folder is missing {sub}/ (model_index.json lists {name}: {cls})", param="model")
        components[name] = (library, cls)
        if name.startswith("tokenizer"):
            if not any((sub / f).is_file() for f in TOKENIZER_FILES):
                raise RequestError(f"{sub}/ has no tokenizer files (one of {', '.join(TOKENIZER_FILES)})", param="model")
        elif name == "scheduler":
            configs[name] = _read_json(sub / "scheduler_config.json")
        elif name in ("image_processor", "feature_extractor"):
            _read_json(sub / "preprocessor_config.json")
        else:  # a network: its config and its weights
            config = _read_json(sub / "config.json")
            declared = config.get("_class_name") or (config.get("architectures") or [None])[0]
            if declared and declared != cls and library == "diffusers":
                raise RequestError(
                    f"{sub / 'config.json'} describes a {declared} but model_index.json says {name} is a {cls}", param="model"
                )
            weights = _weight_files(sub)
            if not weights:
                raise RequestError(f"{sub}/ has no weights (*.safetensors or *.bin)", param="model")
            configs[name] = config
            params[name] = sum(safetensors_params(p) for p in weights if p.suffix == ".safetensors") / 1e9
    for required in ("transformer", "vae", "text_encoder", "tokenizer", "scheduler"):
        if required not in components and not (required == "transformer" and "transformer_2" in components):
            raise RequestError(f"{folder / MODEL_INDEX} lists no {required}, which {pipeline} needs", param="model")
    info = FolderInfo(folder, pipeline, components, configs, index, params)
    _check_shapes(info)
    return info


def _check_shapes(info: FolderInfo) -> None:
    """Configs that must agree across components: a mix of two models' files fails here, by name."""
    family = PIPELINES[info.pipeline].family
    transformer = info.configs.get("transformer") or info.configs["transformer_2"]
    vae, text = info.configs["vae"], info.configs["text_encoder"]
    t_path, v_path, e_path = (info.folder / n / "config.json" for n in ("transformer", "vae", "text_encoder"))

    def mismatch(a: Path, a_key: str, a_value, b: Path, b_key: str, b_value) -> RequestError:
        return RequestError(f"{a} has {a_key} {a_value} but {b} has {b_key} {b_value}; the files come from different models", param="model")

    text_width = text.get("d_model") or text.get("hidden_size") or (text.get("text_config") or {}).get("hidden_size")
    text_key = {"wan": "text_dim", "ltx": "caption_channels", "cogvideox": "text_embed_dim", "hunyuanvideo": "text_embed_dim"}[family]
    if text_width is not None and transformer.get(text_key) is not None and transformer[text_key] != text_width:
        raise mismatch(t_path, text_key, transformer[text_key], e_path, "width", text_width)

    latent = {"wan": "z_dim", "ltx": "latent_channels", "cogvideox": "latent_channels", "hunyuanvideo": "latent_channels"}[family]
    z = vae.get(latent, 16 if family == "wan" else None)
    out = transformer.get("out_channels") or transformer.get("in_channels")
    if family == "cogvideox":
        out = transformer.get("out_channels", 16)
    if z is not None and out is not None and out != z:
        raise mismatch(t_path, "out_channels", out, v_path, latent, z)


# --- what a model can do -------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """One diffusers model — a folder or a known hub model — and everything Kinema decides from its configs."""

    name: str
    family: str
    pipeline: str
    modes: tuple[str, ...]
    size_multiple: int
    frame_step: int
    """Temporal compression: frame counts are 1 + frame_step·k."""
    params: dict[str, float]
    capabilities: Capabilities
    hub: HubModel | None = None
    folder: Path | None = None
    fixed_size: bool = False
    """CogVideoX-5B-I2V's learned position embeddings: only its one trained size works."""

    @property
    def family_info(self) -> Family:
        return FAMILIES[self.family]

    def fps_choices(self) -> tuple[float, float]:
        """The frame rates it can make: (min, max); equal for a fixed-rate model."""
        fam = self.family_info
        return fam.fps_range or (self.capabilities.default_fps, self.capabilities.default_fps)


def _grid_and_step(family: str, transformer: dict, vae: dict) -> tuple[int, int]:
    """(size multiple, temporal step) from the configs, computed as each diffusers pipeline does."""
    if family == "wan":
        spatial, temporal = vae.get("scale_factor_spatial", 8), vae.get("scale_factor_temporal", 4)
        return spatial * transformer.get("patch_size", [1, 2, 2])[1], temporal
    if family == "ltx":
        scaling = sum(vae.get("spatio_temporal_scaling", (True, True, True, False)))
        spatial = vae.get("spatial_compression_ratio") or vae.get("patch_size", 4) * 2**scaling
        temporal = vae.get("temporal_compression_ratio") or vae.get("patch_size_t", 1) * 2**scaling
        return spatial * transformer.get("patch_size", 1), temporal
    if family == "cogvideox":
        # Its VAE decodes an even number of latent frames to 4 frames each, an odd number to 1 + 4(n-1),
        # so only odd latent counts give 1 + 4k frames: 1 + 8k frames in all (49 = 1 + 8·6).
        spatial = 2 ** (len(vae.get("block_out_channels", (128, 256, 256, 512))) - 1)
        return spatial * transformer.get("patch_size", 2), 2 * vae.get("temporal_compression_ratio", 4)
    spatial, temporal = vae.get("spatial_compression_ratio", 8), vae.get("temporal_compression_ratio", 4)
    return spatial * transformer.get("patch_size", 2), temporal


def _match_hub(pipeline: str, transformer: dict, has_second: bool) -> HubModel | None:
    for model in HUB_MODELS:
        if model.pipeline == pipeline and model.second_transformer == has_second and model.signature and all(
            transformer.get(k) == v for k, v in model.signature.items()
        ):
            return model
    return None


def _capabilities(fam: Family, hub: HubModel | None, modes: tuple[str, ...], grid: int, step: int, fixed: str | None) -> Capabilities:
    pick = (lambda name: hub.family_value(name)) if hub else (lambda name: getattr(fam, name))
    sizes = (fixed,) if fixed else tuple(pick("sizes"))
    default_size = fixed or pick("default_size") or sizes[0]
    fps = float(pick("fps"))
    max_frames = 1 + (pick("max_frames") - 1) // step * step
    low, high = fam.fps_range or (fps, fps)
    max_side = max([fam.max_side] + [max(parse_size(s)) for s in sizes])
    return Capabilities(
        modes=modes,
        default_size=default_size,
        sizes=sizes,
        size_multiple=grid,
        min_side=grid,  # one latent patch: tiny, but a size the network can take
        max_side=max_side,
        default_fps=fps,
        min_fps=low,
        max_fps=high,
        default_seconds=round((max_frames - 1) / fps, 3),
        max_seconds=max_frames / fps,
        default_steps=pick("default_steps"),
        max_steps=200,
        default_guidance_scale=pick("default_guidance_scale"),
    )


def _modes(pipeline: str, index: dict, transformer: dict) -> tuple[str, ...]:
    modes = PIPELINES[pipeline].modes
    if pipeline == "WanPipeline" and index.get("expand_timesteps"):
        # Wan 2.2 TI2V-5B: one transformer for text and image (the first latent frame kept clean), but
        # no first–last frame and no video-to-video path in diffusers.
        modes = ("text-to-video", "image-to-video", "extend", "image")
    if pipeline == "WanImageToVideoPipeline":
        if transformer.get("pos_embed_seq_len"):
            # Wan 2.1 FLF2V: its image embedding is positioned for exactly two images, first and last.
            modes = ("connect",)
        elif transformer.get("image_dim") is None:
            # Wan 2.2 I2V: no CLIP image tokens, the frames enter as latents only: one or both ends.
            modes = ("image-to-video", "extend", "connect")
    return modes


def folder_model(info: FolderInfo, name: str | None = None) -> ModelInfo:
    """ModelInfo of an inspected folder: limits from its configs, defaults from the matching hub model."""
    kind = PIPELINES[info.pipeline]
    fam = FAMILIES[kind.family]
    transformer = info.configs.get("transformer") or info.configs["transformer_2"]
    grid, step = _grid_and_step(kind.family, transformer, info.configs["vae"])
    hub = _match_hub(info.pipeline, transformer, "transformer_2" in info.components and "transformer" in info.components)
    fixed = None
    if kind.family == "cogvideox" and transformer.get("use_learned_positional_embeddings"):
        spatial = grid // transformer.get("patch_size", 2)
        fixed = f"{transformer['sample_width'] * spatial}x{transformer['sample_height'] * spatial}"
    modes = _modes(info.pipeline, info.index, transformer)
    caps = _capabilities(fam, hub, modes, grid, step, fixed)
    return ModelInfo(
        name=name or info.folder.name,
        family=kind.family,
        pipeline=info.pipeline,
        modes=modes,
        size_multiple=grid,
        frame_step=step,
        params=dict(info.params),
        capabilities=caps,
        hub=hub,
        folder=info.folder,
        fixed_size=fixed is not None,
    )


HUB_GRID = {"wan": (16, 4), "ltx": (32, 8), "cogvideox": (16, 8), "hunyuanvideo": (16, 4)}
"""(size multiple, temporal step) of the published models of each family (Wan 2.2 5B: 32, see below)."""


def hub_model_info(model: HubModel) -> ModelInfo:
    """ModelInfo of a known hub model from the table alone (nothing downloaded)."""
    fam = FAMILIES[model.family]
    grid, step = HUB_GRID[model.family]
    if model.signature.get("in_channels") == 48:
        grid = 32  # Wan 2.2 VAE: 16× spatial compression, patch 2
    index = {"expand_timesteps": model.signature.get("in_channels") == 48}
    modes = _modes(model.pipeline, index, model.signature)
    fixed = "720x480" if model.name == "cogvideox-5b-i2v" else None
    caps = _capabilities(fam, model, modes, grid, step, fixed)
    return ModelInfo(model.name, model.family, model.pipeline, modes, grid, step, dict(model.params), caps, hub=model, fixed_size=fixed is not None)


# --- planning a request --------------------------------------------------------------------------

DEFAULT_EDIT_STRENGTH = 0.7
"""SDEdit noise level when the request gives none: the source's layout and motion survive, its look changes."""
ROLES = {"text-to-video": "t2v", "image": "t2v", "image-to-video": "i2v", "extend": "i2v", "connect": "i2v", "edit": "v2v"}
"""The kind of pipeline call each mode is: from noise (t2v), from a first frame (i2v), keyframes at any
index (LTX-Video's backward extend and connect), or from a source video (v2v)."""


@dataclass
class Plan:
    """What one generation will do: the request as it will be written, the pipeline call, the adjustments."""

    request: ResolvedRequest
    role: str
    generate_frames: int
    """Frames the pipeline makes; `trim` (first, last) of them are the conditioning frames, not written."""
    trim: tuple[int, int] = (0, 0)
    strength: float | None = None
    adjusted: dict = field(default_factory=dict)
    """field → {requested, used, why}: where the nearest supported value was used instead of the request's."""
    notes: list[str] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)
    """The pipeline's image / video inputs, filled by the engine."""


def plan_request(
    info: ModelInfo, request: VideoRequest, seed: int | None = None, aspect: float | None = None, source_seconds: float | None = None,
    files: bool = True,
) -> Plan:
    """Check `request` against the model and plan the call; RequestError on the first thing it cannot do.

    `aspect` (width / height of the mode's input image or video) picks the trained size when the request
    names none; `source_seconds` is an edit's default duration; `files=False` when the mode's inputs were
    read already (or come in memory), so the request's file fields are not required. Where the model cannot make exactly what
    was asked, the nearest thing it makes is used and recorded in `Plan.adjusted`:

    - fps: a fixed-rate model (Wan, CogVideoX, HunyuanVideo) makes motion at its own rate, and frames
      written at another rate play too fast or too slow, so its rate is used;
    - frames: 1 + step·k (step 4 for Wan and HunyuanVideo, 8 for LTX-Video and CogVideoX); extend makes
      one more (its first is the source's last frame), connect two (the source's last, the target's first).
    """
    from kinema.engines.inputs import NEEDS

    caps, fam, mode = info.capabilities, info.family_info, request.mode
    if mode not in caps.modes:
        raise RequestError(f"mode {mode!r} is not supported by {info.name}; it supports: {', '.join(caps.modes)}", param="mode")
    directions = ("forward",) + DIRECTIONS["extend"].get(info.family, ())
    if mode == "extend" and request.direction not in directions:
        raise RequestError(f"direction {request.direction!r} is not supported by {info.name}; it supports: {', '.join(directions)}", param="direction")
    for name in NEEDS.get(mode, ()) if files else ():
        if getattr(request, name) is None:
            raise RequestError(f"mode {mode!r} needs {name}", param=name)
    adjusted: dict = {}
    notes: list[str] = []

    size = request.size
    if size is None and aspect is not None:
        size = nearest_size(aspect, caps.sizes)
    if info.fixed_size and (size or caps.default_size) not in caps.sizes:
        raise RequestError(f"size {size} is not supported by {info.name}; it makes only {', '.join(caps.sizes)}", param="size")

    fps = request.fps
    low, high = info.fps_choices()
    if fps is not None and math.isfinite(fps) and 0 < fps <= 240 and not low <= fps <= high:
        used = min(max(fps, low), high)
        rates = f"{low:g} fps" if low == high else f"{low:g}–{high:g} fps"
        adjusted["fps"] = {"requested": fps, "used": used, "why": f"{fam.title} makes motion at {rates}"}
        fps = used

    seconds = request.seconds
    if mode == "edit" and seconds is None and source_seconds:
        seconds = min(source_seconds, caps.max_seconds)
    r = resolve(replace(request, size=size, fps=fps, seconds=seconds), caps, seed=seed)

    extra = {"extend": 1, "connect": 2}.get(mode, 0)
    max_frames = round(caps.max_seconds * caps.default_fps)
    generate = 1 if mode == "image" else nearest_frames(r.frames + extra, info.frame_step, max_frames, at_least=1 + info.frame_step)
    out = generate - extra
    if out != r.frames:
        why = f"{fam.title} makes 1 + {info.frame_step}k frames"
        adjusted["frames"] = {"requested": r.frames, "used": out, "why": why + (f", {extra} of them conditioning frames not written" if extra else "")}
    r = replace(r, frames=out, seconds=out / r.fps if mode != "image" else 0.0)

    backward = mode == "extend" and request.direction == "backward"
    trim = {"extend": (0, 1) if backward else (1, 0), "connect": (1, 1)}.get(mode, (0, 0))
    role = ROLES[mode]
    if info.family == "ltx" and (mode == "connect" or backward):
        role = "keyframes"
    strength = None
    if mode == "edit":
        strength = DEFAULT_EDIT_STRENGTH if request.strength is None else float(request.strength)
        if not (math.isfinite(strength) and 0 < strength <= 1):
            raise RequestError(f"strength {request.strength} is outside (0, 1]", param="strength")
        if int(r.steps * strength) < 1:
            raise RequestError(f"strength {strength:g} with {r.steps} steps leaves no denoising step; use at least {1 / r.steps:.3g}", param="strength")
    if info.family == "hunyuanvideo" and r.negative_prompt:
        notes.append("negative_prompt is not used: HunyuanVideo's guidance is distilled into the model (guidance_scale is embedded)")
    return Plan(r, role, generate, trim, strength, adjusted, notes)


# --- options --------------------------------------------------------------------------------------

DTYPES = ("auto", "bf16", "fp16", "fp32")
OFFLOADS = ("auto", "none", "model", "group")
QUANTIZE = ("none", "fp8", "int8", "nf4")
ATTENTION = {
    # Kinema's name → diffusers' attention backend (diffusers.models.attention_dispatch.AttentionBackendName)
    "sdpa": "native",           # PyTorch's scaled_dot_product_attention; PyTorch picks the kernel
    "cudnn": "_native_cudnn",   # SDPA forced onto cuDNN's fused attention (fast on Hopper)
    "flash": "flash",           # flash-attn 2 (package flash-attn)
    "flash3": "_flash_3",       # flash-attn 3 for Hopper (package flash_attn_interface)
    "sage": "sage",             # SageAttention, 8-bit QK (package sageattention)
    "flex": "flex",             # torch.nn.attention.flex_attention
}
CACHES = ("none", "first-block", "pab")


@dataclass(frozen=True)
class DiffusersOptions:
    """How to run a diffusers model. "auto" fields are filled by `choose_options` from the GPU's memory."""

    dtype: str = "auto"
    """Weights and compute: bf16 on GPUs that have it, fp16 on older ones, fp32 on the CPU."""
    offload: str = "auto"
    """none: all on the GPU; model: one whole component at a time (diffusers' model CPU offload);
    group: layer by layer, streamed ahead of use (diffusers' group offload) — for GPUs smaller than the
    largest component."""
    vae_tiling: bool | None = None
    """Decode in overlapping spatial tiles: peak memory of the decode drops several-fold."""
    vae_slicing: bool = False
    """Decode a batch one video at a time (Kinema makes one video per call, so it rarely matters)."""
    quantize: str = "none"
    """The transformer's weights: fp8 (stored in float8, computed in the dtype; diffusers' layerwise
    casting, no extra package), int8 (torchao weight-only), nf4 (bitsandbytes 4-bit)."""
    compile: bool = False
    """torch.compile each repeated transformer block (diffusers' regional compilation)."""
    attention: str = "sdpa"
    cache: str = "none"
    """Skip transformer work on steps whose result barely changes: first-block (First Block Cache) or
    pab (Pyramid Attention Broadcast). Faster, slightly different video."""
    cache_threshold: float = 0.05
    """first-block: relative change of the first block's output below which a step reuses the cache."""

    def __post_init__(self):
        for name, allowed in (("dtype", DTYPES), ("offload", OFFLOADS), ("quantize", QUANTIZE), ("attention", tuple(ATTENTION)), ("cache", CACHES)):
            value = getattr(self, name)
            if value not in allowed:
                raise RequestError(f"{name.replace('_', '-')} {value!r} is not one of {', '.join(allowed)}", param=name)
        if not (isinstance(self.cache_threshold, (int, float)) and 0 < self.cache_threshold < 1):
            raise RequestError(f"cache-threshold {self.cache_threshold!r} must be between 0 and 1", param="cache_threshold")

    def to_dict(self) -> dict:
        return asdict(self)

    def merged_over(self, chosen: DiffusersOptions) -> DiffusersOptions:
        """These options with every "auto" / unset field taken from `chosen`."""
        values = {}
        for f in fields(self):
            mine = getattr(self, f.name)
            values[f.name] = getattr(chosen, f.name) if mine in ("auto", None) else mine
        return DiffusersOptions(**values)


WORKSPACE_GIB = 5.0
"""GPU memory kept free for activations and the VAE decode at the published sizes (480p–720p, 5 s):
attention is flash-style (memory linear in tokens), the largest tensors are the FFN's (tokens × ffn
width) and the decoder's feature maps, which tiling bounds."""
TILING_BELOW_GIB = 48.0
"""Below this, VAE tiling is on: an untiled 720p decode alone can take tens of GiB (HunyuanVideo, CogVideoX)."""


def choose_options(gpu_gib: float | None, params: dict[str, float], bf16: bool = True) -> DiffusersOptions:
    """Sensible options for a model of `params` (billions per component) on a GPU of `gpu_gib` GiB.

    A pure function, so the rule is tested and written down:

    - no GPU (None): fp32, nothing offloaded (offloading moves weights to a GPU), no tiling;
    - everything in bf16 (or fp16) plus `WORKSPACE_GIB` fits: all on the GPU;
    - the largest single component plus the workspace fits: model CPU offload (components take turns);
    - otherwise: group offload, layer by layer with CUDA streams, so even an 8 GB GPU runs a model whose
      text encoder alone is 11 GB (Wan's UMT5-XXL);
    - VAE tiling below `TILING_BELOW_GIB`.

    Wan 2.2's two experts run one after the other, so the largest component counts one of them.
    """
    if gpu_gib is None:
        return DiffusersOptions(dtype="fp32", offload="none", vae_tiling=False)
    dtype = "bf16" if bf16 else "fp16"
    total = sum(params.values()) * 1e9 * 2 / GIB
    largest = max(params.values(), default=0.0) * 1e9 * 2 / GIB
    if total + WORKSPACE_GIB <= gpu_gib:
        offload = "none"
    elif largest + WORKSPACE_GIB <= gpu_gib:
        offload = "model"
    else:
        offload = "group"
    return DiffusersOptions(dtype=dtype, offload=offload, vae_tiling=gpu_gib < TILING_BELOW_GIB)


def options_from(values: dict) -> DiffusersOptions:
    """DiffusersOptions from a dict (CLI / service); unknown keys are errors naming them."""
    known = {f.name for f in fields(DiffusersOptions)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise RequestError(f"unknown diffusers option {unknown[0]!r}; known: {', '.join(sorted(known))}", param=unknown[0])
    return DiffusersOptions(**values)


__all__ = [
    "ATTENTION",
    "FAMILIES",
    "HUB_MODELS",
    "PIPELINES",
    "DiffusersOptions",
    "Family",
    "FolderInfo",
    "HubModel",
    "ModelInfo",
    "Plan",
    "choose_options",
    "folder_model",
    "hub_model",
    "hub_model_info",
    "inspect_folder",
    "nearest_frames",
    "nearest_size",
    "options_from",
    "plan_request",
    "valid_frame_counts",
]
