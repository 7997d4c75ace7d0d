"""Engines: the one generation interface (`base.py`) and what fills it.

`load_engine(model)` takes a model name (one of `available_models()`), a Kinema checkpoint folder (with
`config.json`), or a diffusers folder (with `model_index.json`). Kinema's own checkpoints run on the
native engine (the default); published open weights — a diffusers folder, or a known hub model such as
`wan2.1-t2v-1.3b` — run on the diffusers engine (`pip install kinema[diffusers]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kinema.engines.base import Capabilities, Engine, GeneratedVideo, RequestError, VideoRequest

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_MODEL = "kinema-s"
HUB_PATTERNS = ["model_index.json", "*/*"]
"""What to download of a hub model: the pipeline's folders, not the single-file checkpoints some
repositories also keep at their root (Lightricks/LTX-Video holds tens of GB of those)."""
HUB_IGNORE = ["*.bin", "*.pt", "*.pth", "*.ckpt", "*.gguf", "*.msgpack", "*.onnx", "*.h5"]


@dataclass(frozen=True)
class ModelEntry:
    name: str
    engine: str
    """native or diffusers."""
    folder: Path | None
    """Where its files are; None for a hub model not downloaded yet."""
    description: str
    repo: str | None = None
    """The hub repository of a published model."""
    size_gib: float | None = None
    """Its weights in bf16, GiB (published models)."""

    def capabilities(self) -> Capabilities:
        """What it can do, from its configs (or Kinema's table of published models); no weights read."""
        if self.engine == "native":
            from kinema.checkpoint import read_config
            from kinema.engines.native import capabilities

            return capabilities(read_config(self.folder))
        return self.info().capabilities

    def info(self):
        """open_weights.ModelInfo of a diffusers model."""
        from kinema.engines import open_weights

        published = open_weights.hub_model(self.repo) if self.repo else None
        if published is not None:  # Kinema's table: the same answer downloaded or not
            return open_weights.hub_model_info(published)
        return open_weights.folder_model(open_weights.inspect_folder(self.folder), name=self.name)


def _cached_snapshot(repo: str) -> Path | None:
    """The hub model's folder in the Hugging Face cache, if it has been downloaded (no network)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo, "model_index.json")
    return Path(found).parent if isinstance(found, str) else None


def _hub_entry(model) -> ModelEntry:
    return ModelEntry(model.name, "diffusers", _cached_snapshot(model.repo), model.description, model.repo, round(model.gib, 1))


def available_models() -> list[ModelEntry]:
    """The checkpoints shipped inside the package, then the published models Kinema knows by name."""
    from kinema.checkpoint import read_config
    from kinema.engines.open_weights import HUB_MODELS

    entries = []
    for config_file in sorted(WEIGHTS_DIR.glob("*/config.json")):
        config = read_config(config_file.parent)
        entries.append(ModelEntry(config.name, "native", config_file.parent, config.description))
    return entries + [_hub_entry(model) for model in HUB_MODELS]


def locate_model(model: str | None) -> ModelEntry:
    """A model name, hub id or folder → its entry; a RequestError names what is wrong. Reads no weights."""
    from kinema.engines.open_weights import MODEL_INDEX, hub_model

    model = model or DEFAULT_MODEL
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / MODEL_INDEX).is_file():
            return ModelEntry(path.name, "diffusers", path, f"diffusers folder {path}")
        if not (path / "config.json").is_file():
            raise RequestError(
                f"model folder {path} has neither config.json (a Kinema checkpoint) nor {MODEL_INDEX} (a diffusers model)", param="model"
            )
        return ModelEntry(path.name, "native", path, f"checkpoint folder {path}")
    native = {entry.name: entry for entry in available_models() if entry.engine == "native"}
    if model in native:
        return native[model]
    published = hub_model(model)
    if published is not None:
        return _hub_entry(published)
    if model.count("/") == 1 and not path.exists():
        cached = _cached_snapshot(model)
        if cached is not None:  # a diffusers repository downloaded by the user, unknown to Kinema's table
            return ModelEntry(model.split("/")[1], "diffusers", cached, f"diffusers model {model}", model)
    known = ", ".join(entry.name for entry in available_models())
    raise RequestError(f"unknown model {model!r}; available: {known} (or a checkpoint or diffusers folder)", param="model")


def resolve_model(model: str | None) -> Path:
    """A model name or a folder → the folder of a native checkpoint (as before diffusers models existed)."""
    entry = locate_model(model)
    if entry.engine != "native":
        raise RequestError(f"model {model!r} is a diffusers model, not a Kinema checkpoint", param="model")
    return entry.folder


def download(entry: ModelEntry) -> Path:
    """The folder of a hub model, downloading its pipeline files if they are not in the cache yet."""
    if entry.folder is not None:
        return entry.folder
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(entry.repo, allow_patterns=HUB_PATTERNS, ignore_patterns=HUB_IGNORE))
    except Exception as error:  # offline, unreachable, gated, disk full: all say the same thing to the user
        raise RequestError(
            f"{entry.name} ({entry.repo}) is not downloaded and could not be fetched ({type(error).__name__}); "
            f"download it with `hf download {entry.repo} --local-dir DIR` and pass --model DIR",
            param="model",
        ) from error


def load_engine(model: str | None = None, device: str = "cpu", options=None, provenance=None) -> Engine:
    """The engine for `model` on `device`; `options` (open_weights.DiffusersOptions) apply to diffusers models;
    `provenance`: what marks every video the engine writes, for both engines (`engines.base.provenance_stamp`;
    None: this installation's watermark, C2PA key and fingerprint index)."""
    entry = locate_model(model)
    if entry.engine == "native":
        if options is not None:
            raise RequestError(f"diffusers options apply to diffusers models; {entry.name} is a native checkpoint", param="model")
        from kinema.engines.native import NativeEngine

        return NativeEngine(entry.folder, device=device, provenance=provenance)
    from kinema.engines.diffusers import DiffusersEngine

    folder = download(entry)
    return DiffusersEngine(folder, device=device, options=options, name=entry.name, source=entry.repo or str(folder), provenance=provenance)


__all__ = [
    "DEFAULT_MODEL",
    "Capabilities",
    "Engine",
    "GeneratedVideo",
    "ModelEntry",
    "RequestError",
    "VideoRequest",
    "available_models",
    "download",
    "load_engine",
    "locate_model",
    "resolve_model",
]
