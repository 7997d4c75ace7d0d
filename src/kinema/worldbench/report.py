"""The WorldBench report: per-dimension scores and per-prompt verdicts, as JSON and as a small HTML page.

A dimension's score is the share of the prompts testing it that pass. Prompts a model could not be
asked (a mode it does not support) are *not applicable* — counted and named, never scored as zero or
one; prompts whose video is missing or whose generation failed are counted apart too.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kinema.worldbench.score import Verdict
from kinema.worldbench.suite import DIMENSIONS, Prompt


@dataclass
class PromptResult:
    prompt: Prompt
    status: str
    """scored | not-applicable | missing | failed"""
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    videos: list[Path] = field(default_factory=list)
    strip: Path | None = None
    reason: str = ""
    seconds: float = 0.0

    def to_dict(self, base: Path) -> dict:
        return {
            "id": self.prompt.id,
            "section": self.prompt.section,
            "prompt": self.prompt.prompt,
            "dims": list(self.prompt.dims),
            "mode": self.prompt.mode,
            "objects": self.prompt.objects,
            "status": self.status,
            "reason": self.reason,
            "videos": [_relative(v, base) for v in self.videos],
            "strip": _relative(self.strip, base) if self.strip else None,
            "verdicts": {d: v.to_dict() for d, v in self.verdicts.items()},
            "seconds": round(self.seconds, 2),
        }


def _relative(path: Path, base: Path) -> str:
    return os.path.relpath(Path(path).resolve(), Path(base).resolve())


def summarise(results: list[PromptResult], dims: tuple[str, ...] = DIMENSIONS) -> dict[str, dict]:
    """Per dimension: score (share passing, None when nothing was scored), passed, scored,
    not_applicable, missing, failed, and a mean partial score."""
    out = {}
    for dim in dims:
        relevant = [r for r in results if dim in r.prompt.dims]
        scored = [r.verdicts[dim] for r in relevant if r.status == "scored" and dim in r.verdicts]
        row = {
            "score": round(sum(v.passed for v in scored) / len(scored), 4) if scored else None,
            "passed": sum(v.passed for v in scored),
            "scored": len(scored),
            "partial": round(float(np.mean([v.score for v in scored])), 4) if scored else None,
            "not_applicable": sum(r.status == "not-applicable" for r in relevant),
            "missing": sum(r.status == "missing" for r in relevant),
            "failed": sum(r.status == "failed" for r in relevant),
        }
        reasons = sorted({r.reason for r in relevant if r.status == "not-applicable"})
        if reasons:
            row["why_not_applicable"] = reasons
        out[dim] = row
    return out


def write_report(results: list[PromptResult], out: Path, header: dict, dims: tuple[str, ...] = DIMENSIONS) -> dict:
    """report.json and report.html in `out`; returns the JSON document."""
    out = Path(out)
    document = {**header, "dimensions": summarise(results, dims), "prompts": [r.to_dict(out) for r in results]}
    _write(out / "report.json", json.dumps(document, indent=1) + "\n")
    _write(out / "report.html", render_html(document))
    return document


def _write(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.part")
    temp.write_text(text)
    os.replace(temp, path)


def _notes(row: dict) -> list[str]:
    """What a dimension's score leaves out: prompts not applicable (and why), missing, failed."""
    notes = []
    if row["not_applicable"]:
        notes.append(f"{row['not_applicable']} not applicable ({'; '.join(row.get('why_not_applicable', []))})")
    if row["missing"]:
        notes.append(f"{row['missing']} missing")
    if row["failed"]:
        notes.append(f"{row['failed']} failed to generate")
    return notes


def format_table(document: dict) -> str:
    """The per-dimension table as plain text (what the CLI prints)."""
    lines = [f"{'dimension':<12} {'score':>6} {'passed':>7} {'partial':>8}  notes"]
    for dim, row in document["dimensions"].items():
        notes = _notes(row)
        score = "n/a" if row["score"] is None else f"{row['score']:.3f}"
        partial = "" if row["partial"] is None else f"{row['partial']:.3f}"
        lines.append(f"{dim:<12} {score:>6} {row['passed']:>3}/{row['scored']:<3} {partial:>8}  {', '.join(notes)}")
    return "\n".join(lines)


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
.pass { color: #176b2c; } .fail { color: #a4161a; } .na { color: #777; }
.prompt { max-width: 34em; }
video, img.strip { image-rendering: pixelated; }
"""


def render_html(document: dict) -> str:
    e = html.escape
    rows = []
    for dim, row in document["dimensions"].items():
        score = "not applicable" if row["score"] is None else f"{row['score']:.3f} ({row['passed']}/{row['scored']})"
        notes = _notes(row)
        rows.append(f"<tr><td>{e(dim)}</td><td>{e(score)}</td><td>{e(', '.join(notes))}</td></tr>")
    prompts = []
    for p in document["prompts"]:
        media = "".join(f'<video src="{e(v)}" controls loop muted width="192"></video>' for v in p["videos"])
        if p["strip"]:
            media += f'<br><img class="strip" src="{e(p["strip"])}" height="64" alt="frames">'
        if p["status"] != "scored":
            verdicts = f'<span class="na">{e(p["status"])}: {e(p["reason"])}</span>'
        else:
            items = []
            for dim, v in p["verdicts"].items():
                mark, cls = ("pass", "pass") if v["passed"] else ("fail", "fail")
                items.append(f'<div class="{cls}"><b>{e(dim)}</b> {mark} — {e(v["detail"])}</div>')
            verdicts = "".join(items)
        prompts.append(
            f'<tr><td>{e(p["id"])}<br><small>{e(p["mode"])}, {p["objects"]} object(s)</small></td>'
            f'<td class="prompt">{e(p["prompt"])}</td><td>{media}</td><td>{verdicts}</td></tr>'
        )
    settings = ", ".join(f"{k}: {v}" for k, v in document.get("settings", {}).items())
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>WorldBench — {e(str(document.get("model", "")))}</title><style>{STYLE}</style></head>
<body>
<h1>WorldBench — {e(str(document.get("model", "")))}</h1>
<p>{e(document.get("source", ""))}; {e(settings)}; {len(document["prompts"])} prompts.</p>
<table><tr><th>dimension</th><th>score (share of prompts passing)</th><th>notes</th></tr>{"".join(rows)}</table>
<h2>Prompts</h2>
<table><tr><th>id</th><th>prompt</th><th>video</th><th>verdicts</th></tr>{"".join(prompts)}</table>
</body></html>
"""


def frame_strip(videos: list[np.ndarray], path: Path, frames: int = 8) -> Path:
    """A PNG of `frames` evenly spaced frames per camera (one row per camera)."""
    from PIL import Image

    rows = []
    for video in videos:
        picks = np.linspace(0, len(video) - 1, min(frames, len(video))).round().astype(int)
        rows.append(np.concatenate([video[k] for k in picks], axis=1))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)
    return path


__all__ = ["PromptResult", "format_table", "frame_strip", "render_html", "summarise", "write_report"]
