"""Checkpoints: a folder with `config.json` (everything needed to rebuild the model) and
`model.safetensors` (the VAE's and the DiT's weights, prefixed `vae.` and `dit.`).

Loading rebuilds the networks from the config, then loads the weights strictly, so a checkpoint
never depends on the code's current defaults (nanoGPT's checkpoints carry their config the same way).
Unknown config keys are errors: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from kinema.models.dit import DiT, DiTConfig
from kinema.models.text import TextConfig
from kinema.models.vae import VAEConfig, VideoVAE

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


class CheckpointError(ValueError):
    """A checkpoint folder that is incomplete or whose config does not parse; the message names the file."""


@dataclass(frozen=True)
class SamplingDefaults:
    size: str = "128x128"
    sizes: tuple[str, ...] = ("128x128",)
    """Sizes the model was trained at."""
    fps: float = 8.0
    seconds: float = 4.0
    steps: int = 24
    guidance_scale: float = 5.0
    sampler: str = "euler"
    window_latent_frames: int = 9
    """Latent frames generated at once (the training clip length); longer videos use several windows."""
    window_overlap: int = 2
    """Latent frames each window takes, as known frames, from the end of the previous one."""
    shift_base_tokens: int = 256
    """Token count at which the timestep shift is 1 (see `diffusion.flow.resolution_shift`)."""
    modes: tuple[str, ...] = ("text-to-video", "image")
    """The modes of PRODUCT.md §1 the model was trained for (see `engines/modes.py`)."""
    expand_prompts: bool = False
    """Rewrite prompts Kinema World's parser reads into the detailed caption style before encoding them."""

    def __post_init__(self):
        object.__setattr__(self, "sizes", tuple(self.sizes))
        object.__setattr__(self, "modes", tuple(self.modes))
        if not 0 < self.window_overlap < self.window_latent_frames:
            raise ValueError(
                f"window_overlap {self.window_overlap} must be between 1 and window_latent_frames - 1 "
                f"({self.window_latent_frames - 1})"
            )


@dataclass(frozen=True)
class ModelConfig:
    name: str
    vae: VAEConfig
    dit: DiTConfig
    text: TextConfig = TextConfig()
    sampling: SamplingDefaults = SamplingDefaults()
    description: str = ""
    training: dict = field(default_factory=dict)
    """Free-form record of how the weights were made (command, data, steps, hardware, time)."""

    def __post_init__(self):
        if self.vae.latent_channels != self.dit.latent_channels:
            raise ValueError(
                f"the VAE makes {self.vae.latent_channels} latent channels but the DiT expects {self.dit.latent_channels}"
            )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        parts = {"vae": VAEConfig, "dit": DiTConfig, "text": TextConfig, "sampling": SamplingDefaults}
        values = _strict(cls, data, "config")
        for key, kind in parts.items():
            if key in values:
                values[key] = kind(**_strict(kind, values[key], key))
        return cls(**values)


def _strict(kind, data: dict, where: str) -> dict:
    allowed = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise CheckpointError(f"unknown key(s) {', '.join(unknown)} in {where}; allowed: {', '.join(sorted(allowed))}")
    return dict(data)


def save_checkpoint(folder: Path, config: ModelConfig, vae: VideoVAE, dit: DiT, dtype: torch.dtype = torch.bfloat16) -> Path:
    """Write config.json and model.safetensors (weights in `dtype`; buffers such as latent statistics in fp32)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for prefix, module in (("vae.", vae), ("dit.", dit)):
        params = {name for name, _ in module.named_parameters()}
        for name, value in module.state_dict().items():
            value = value.detach().cpu()
            tensors[prefix + name] = (value.to(dtype) if name in params else value.float()).contiguous()
    save_file(tensors, folder / WEIGHTS_FILE, metadata={"format": "kinema", "name": config.name})
    (folder / CONFIG_FILE).write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    return folder


def read_config(folder: Path) -> ModelConfig:
    folder = Path(folder)
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{folder} is not a Kinema checkpoint: {CONFIG_FILE} is missing")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path} is not valid JSON: {error}") from None
    try:
        return ModelConfig.from_dict(data)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: {error}") from None


def load_checkpoint(folder: Path, device: str | torch.device = "cpu") -> tuple[ModelConfig, VideoVAE, DiT]:
    """Rebuild the VAE and DiT from config.json and load their weights (as float32) strictly."""
    folder = Path(folder)
    config = read_config(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{folder} is not a complete Kinema checkpoint: {WEIGHTS_FILE} is missing")
    tensors = load_file(weights, device=str(device))
    vae, dit = VideoVAE(config.vae), DiT(config.dit)
    for prefix, module in (("vae.", vae), ("dit.", dit)):
        state = {k[len(prefix) :]: v.float() for k, v in tensors.items() if k.startswith(prefix)}
        module.load_state_dict(state, strict=True)
        module.to(device).eval().requires_grad_(False)
    return config, vae, dit
