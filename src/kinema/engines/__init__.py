"""Engines: the one generation interface (`base.py`) and what fills it.

`load_engine(model)` takes a model name (one of `available_models()`) or a checkpoint folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kinema.engines.base import Capabilities, Engine, GeneratedVideo, RequestError, VideoRequest

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_MODEL = "kinema-s"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    engine: str
    folder: Path
    description: str


def available_models() -> list[ModelEntry]:
    """The checkpoints shipped inside the package (each a folder with a config.json)."""
    from kinema.checkpoint import read_config

    entries = []
    for config_file in sorted(WEIGHTS_DIR.glob("*/config.json")):
        config = read_config(config_file.parent)
        entries.append(ModelEntry(config.name, "native", config_file.parent, config.description))
    return entries


def resolve_model(model: str | None) -> Path:
    """A model name or a checkpoint folder → the folder; a RequestError lists the known names."""
    model = model or DEFAULT_MODEL
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise RequestError(f"model folder {path} has no config.json, so it is not a Kinema checkpoint", param="model")
        return path
    names = {entry.name: entry.folder for entry in available_models()}
    if model not in names:
        known = ", ".join(sorted(names)) or "none installed"
        raise RequestError(f"unknown model {model!r}; available: {known} (or a checkpoint folder)", param="model")
    return names[model]


def load_engine(model: str | None = None, device: str = "cpu", provenance=None) -> Engine:
    """`provenance`: see NativeEngine (None: this installation's watermark, C2PA key and fingerprint index)."""
    from kinema.engines.native import NativeEngine

    return NativeEngine(resolve_model(model), device=device, provenance=provenance)


__all__ = [
    "DEFAULT_MODEL",
    "Capabilities",
    "Engine",
    "GeneratedVideo",
    "RequestError",
    "VideoRequest",
    "available_models",
    "load_engine",
    "resolve_model",
]
