"""`kinema safety eval`: the prompt policy measured on the held-out split of its dataset.

Per category: precision (of the prompts flagged with it, how many carry it), recall (of the prompts
that carry it, how many were flagged with it — for the verdict that matters, any flag blocks, so
"blocked" recall is reported too), and the false-block rate on safe prompts (safe prompts this
category blocked). Overall: recall on unsafe prompts (blocked at all) and the false-block rate on
safe ones; and whether the seed's eleven prompts pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from kinema.safety.policy import CATEGORIES, HEAD_DIR, Policy, PolicyConfig

DATASET = HEAD_DIR / "prompts.jsonl"


def load_split(split: str = "heldout", path: Path = DATASET) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split not in {r["split"] for r in rows}:
        raise ValueError(f"split {split!r} not in {path}; it has: {', '.join(sorted({r['split'] for r in rows}))}")
    return [r for r in rows if r["split"] == split]


def evaluate(policy: Policy | None = None, split: str = "heldout") -> dict:
    policy = policy or Policy(PolicyConfig())
    rows = load_split(split)
    results = policy.score([r["text"] for r in rows])
    safe = [res for r, res in zip(rows, results) if not r["labels"]]
    unsafe = [(r, res) for r, res in zip(rows, results) if r["labels"]]
    per_category = {}
    for c in CATEGORIES:
        carriers = [res for r, res in unsafe if c in r["labels"]]
        flagged = [(r, res) for r, res in zip(rows, results) if c in res.flagged]
        per_category[c] = {
            "prompts": len(carriers),
            "precision": _ratio(sum(1 for r, _ in flagged if c in r["labels"]), len(flagged)),
            "recall": _ratio(sum(1 for res in carriers if c in res.flagged), len(carriers)),
            "blocked": _ratio(sum(1 for res in carriers if not res.allowed), len(carriers)),
            "false_block_rate": _ratio(sum(1 for res in safe if c in res.flagged), len(safe)),
        }
    seeds = [(r, res) for r, res in zip(rows, results) if r["kind"] == "seed"]
    return {
        "split": split,
        "prompts": len(rows),
        "safe": len(safe),
        "unsafe": len(unsafe),
        "recall": _ratio(sum(1 for _, res in unsafe if not res.allowed), len(unsafe)),
        "false_block_rate": _ratio(sum(1 for res in safe if not res.allowed), len(safe)),
        "categories": per_category,
        "seed_prompts": len(seeds),
        "seed_prompts_passed": sum(1 for _, res in seeds if res.allowed),
        "misses": [{"text": r["text"], "labels": r["labels"]} for r, res in unsafe if res.allowed],
        "false_blocks": [{"text": res.text, "flagged": list(res.flagged)} for res in safe if not res.allowed],
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def format_table(report: dict) -> str:
    def pct(v):
        return "   –  " if v is None else f"{v * 100:5.1f}%"

    lines = [f"prompt policy on the {report['split']} split: {report['prompts']} prompts "
             f"({report['unsafe']} unsafe, {report['safe']} safe)",
             f"{'category':10s} {'prompts':>7s} {'precision':>9s} {'recall':>7s} {'blocked':>7s} {'false-block':>11s}"]
    for c, m in report["categories"].items():
        lines.append(f"{c:10s} {m['prompts']:7d} {pct(m['precision']):>9s} {pct(m['recall']):>7s} {pct(m['blocked']):>7s} "
                     f"{pct(m['false_block_rate']):>11s}")
    lines.append(f"overall: recall on unsafe {pct(report['recall'])}, false-block rate on safe {pct(report['false_block_rate'])}; "
                 f"seed prompts passed {report['seed_prompts_passed']}/{report['seed_prompts']}")
    return "\n".join(lines)


__all__ = ["DATASET", "evaluate", "format_table", "load_split"]
