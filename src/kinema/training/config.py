"""Training configs: typed, frozen dataclasses read from TOML, with command-line overrides.

    kinema train dit --config configs/dit-s.toml optim.lr=2e-4 train.minutes=30

A config file has one table per section; every key must be a field of that section's dataclass
(a typo is an error naming the key and what is allowed, never a silently ignored setting). An
override is `section.key=value`, the value read as TOML (numbers, booleans, strings, arrays), with a
bare word taken as a string.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_type_hints


class ConfigError(ValueError):
    """A config file or override that does not fit; the message names the key."""


# --- shared sections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptimConfig:
    lr: float = 3e-4
    betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.0
    warmup_steps: int = 200
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    """EMA of the weights, the ones that are saved for sampling (DiT, §4; 0 turns it off)."""
    decay_fraction: float = 0.0
    """Warm-up, then constant, then linearly down to zero over this last fraction of the run ("WSD");
    the run's progress is its steps out of max_steps or its time out of `minutes`, whichever is further."""


@dataclass(frozen=True)
class TrainConfig:
    out: str = "runs/train"
    batch_size: int = 8
    max_steps: int = 1_000_000
    minutes: float = 60.0
    """Wall-clock budget; training stops (and saves) at whichever of max_steps and minutes comes first."""
    seed: int = 0
    device: str = "auto"
    """auto: cuda when available, else cpu."""
    precision: str = "auto"
    """auto: bf16 autocast where the hardware has fast bf16 (GPUs, CPUs with AVX-512 BF16 / AMX), else fp32."""
    activation_checkpointing: bool = False
    """Recompute each transformer block in the backward pass: less memory, about a third more compute."""
    parallel: str = "ddp"
    """Under torchrun: ddp (a replica per process) or fsdp (FSDP2: parameters sharded across processes)."""
    log_every: int = 50
    save_every: int = 1000
    sample_every: int = 0
    """Write sample videos every N steps (0: only at the end)."""
    resume: bool = True
    """Continue from OUT/state when it exists."""
    compile: bool = False
    """torch.compile the network (GPU runs)."""


# --- the VAE --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VAEModelConfig:
    preset: str = "s"


@dataclass(frozen=True)
class VAEDataConfig:
    world: str = "data/world"
    """A `kinema world build` folder or a packed world file (`kinema world pack`)."""
    frames: int = 9
    """Frames per training clip (1 + 4k): the first frame alone plus temporal groups."""
    crop: int = 96
    """Square crop size; the VAE is fully convolutional, so it runs at any size afterwards."""
    image_fraction: float = 0.1
    """Share of batches that are single frames, so stills (image-to-video inputs) encode well too."""
    pool_clips: int = 512
    """Clips held decoded (or rendered) in memory to draw crops from."""
    pool_refresh: int = 0
    """Replace the pool with fresh clips every N steps (0: never)."""
    size: str = "128x128"
    """Size the pool's clips are rendered at."""
    supersample: int = 2


@dataclass(frozen=True)
class VAELossConfig:
    kl_weight: float = 1e-6
    gradient_weight: float = 0.5
    """L1 on spatial gradients too: keeps the world's crisp edges crisp (an L1 on pixels alone blurs them)."""


@dataclass(frozen=True)
class VAETrainingConfig:
    model: VAEModelConfig = VAEModelConfig()
    data: VAEDataConfig = VAEDataConfig()
    loss: VAELossConfig = VAELossConfig()
    optim: OptimConfig = OptimConfig(weight_decay=0.01, warmup_steps=100, ema_decay=0.0)
    train: TrainConfig = TrainConfig(batch_size=8, minutes=30.0)


# --- the DiT --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiTModelConfig:
    name: str = "kinema-s"
    preset: str = "s"
    vae: str = "runs/vae"
    """Folder written by `kinema train vae`, or a Kinema checkpoint folder (its VAE)."""
    init: str = ""
    """A Kinema checkpoint folder whose DiT weights a new run starts from (training a released model on,
    when its optimizer state was not kept); empty: random initialisation. OUT/state, when it exists, wins."""
    text_encoder_path: str = ""
    """A folder with MiniLM weights and tokenizer; empty: the packaged all-MiniLM-L6-v2."""
    description: str = "Kinema's small native model, trained on Kinema World."


@dataclass(frozen=True)
class DiTDataConfig:
    world: str = "data/world"
    sizes: tuple[str, ...] = ("128x128", "160x96", "96x160")
    """Frame sizes (WxH); each clip is encoded at one of them, in turn (landscape, portrait, square)."""
    lengths: tuple[int, ...] = (9, 5, 1)
    """Latent frames per training window (9 = 33 frames, the generation window)."""
    length_weights: tuple[float, ...] = (0.75, 0.15, 0.1)
    multiview_fraction: float = 0.15
    """Share of multi-view clips' batches that hold two views of the same moment in one sequence."""
    max_clips: int = 0
    """Use at most this many clips (0: all)."""
    supersample: int = 2
    render_seconds: float = 0.0
    """Stop rendering / encoding new clips after this many seconds (0: no limit)."""
    save_cache: bool = True
    """Keep the latent cache in OUT/cache.pt, so a resumed run skips encoding (needed under torchrun)."""


@dataclass(frozen=True)
class ConditioningConfig:
    caption_dropout: float = 0.1
    """Captions replaced by the empty prompt, which classifier-free guidance steers away from."""
    detailed_fraction: float = 0.6
    """How often the detailed caption is used rather than a short one."""
    camera_dropout: float = 0.5
    """How often the per-frame camera features are withheld, so text alone controls the camera too."""
    continuation_fraction: float = 0.5
    """Windows taken from later in a clip, whose first frames are given as known (long videos, extend)."""
    overlap: int = 2
    """Known latent frames a continuation window starts with (the engine's window overlap)."""
    image_to_video: float = 0.15
    extend_forward: float = 0.1
    extend_backward: float = 0.07
    connect: float = 0.08
    """Per-window chances, among windows from a clip's start, of the known-frame tasks of issue 7's modes."""


@dataclass(frozen=True)
class DiTTrainingConfig:
    model: DiTModelConfig = DiTModelConfig()
    data: DiTDataConfig = DiTDataConfig()
    conditioning: ConditioningConfig = ConditioningConfig()
    optim: OptimConfig = OptimConfig()
    train: TrainConfig = TrainConfig(batch_size=16)
    sampling_prompts: tuple[str, ...] = (
        "a red ball bounces on the grass",
        "a blue cube slides to the left on snow at noon",
        "two objects on a sandy beach at sunset: a yellow ball rolls to the right, a purple cone sits still",
    )


# --- reading ---------------------------------------------------------------------------------------------


def _coerce(kind, value: Any, where: str) -> Any:
    """Check (and lightly convert) a TOML value against a field type."""
    origin = getattr(kind, "__origin__", None)
    if is_dataclass(kind):
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table")
        return _build(kind, value, where)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be an array, got {value!r}")
        args = kind.__args__
        item = args[0]
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        return float(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    return value


def _build(kind, data: dict, where: str):
    hints = get_type_hints(kind)
    allowed = [f.name for f in fields(kind)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        section = f"[{where}]" if where else "the config"
        raise ConfigError(f"unknown key(s) {', '.join(unknown)} in {section}; allowed: {', '.join(allowed)}")
    values = {}
    default = kind()
    for name, value in data.items():
        sub = getattr(default, name)
        key = f"{where}.{name}" if where else name
        if is_dataclass(sub):
            values[name] = replace(sub, **{k: getattr(_build(type(sub), value, key), k) for k in value}) if isinstance(value, dict) else _coerce(type(sub), value, key)
        else:
            values[name] = _coerce(hints[name], value, key)
    return replace(default, **values)


def _override(data: dict, assignment: str) -> None:
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r} is not section.key=value")
    key, _, text = assignment.partition("=")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text  # a bare word: a string
    parts = key.strip().split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {key!r}: {part} is not a section")
    node[parts[-1]] = value


def load_config(kind, path: str | Path | None, overrides: list[str] = ()):
    """Read a TOML file (or start from the defaults) into `kind`, applying `section.key=value` overrides."""
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text())
        except OSError as error:
            raise ConfigError(f"cannot read config {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from None
    for assignment in overrides:
        _override(data, assignment)
    return _build(kind, data, "")


def to_dict(config) -> dict:
    return asdict(config)


__all__ = [
    "ConditioningConfig",
    "ConfigError",
    "DiTDataConfig",
    "DiTModelConfig",
    "DiTTrainingConfig",
    "OptimConfig",
    "TrainConfig",
    "VAEDataConfig",
    "VAELossConfig",
    "VAEModelConfig",
    "VAETrainingConfig",
    "load_config",
    "to_dict",
]
