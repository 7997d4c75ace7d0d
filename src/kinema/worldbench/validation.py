"""The scorer's own calibration: ground-truth renders and broken variants of prompts, scored.

    table = validate(prompts, width=128, height=128)
    table["truth"]["objects"]        → {"score": 0.99, "passed": 99, "scored": 100}
    table["wrong-colour"]["objects"] → low; table["wrong-colour"]["count"] → high

The tests run it on a small subset at a small size; `benchmarks/worldbench_calibration.py` on the
whole suite at the size models are scored at.
"""

from __future__ import annotations

from collections.abc import Callable

from kinema.worldbench.detector import Detector
from kinema.worldbench.score import Verdict, score_prompt
from kinema.worldbench.suite import DIMENSIONS, Prompt
from kinema.worldbench.variants import VARIANTS, applies, broken, truth

Row = dict[str, dict]


def _tally(verdicts: list[dict[str, Verdict]]) -> Row:
    out = {}
    for dim in DIMENSIONS:
        scored = [v[dim] for v in verdicts if dim in v]
        if scored:
            out[dim] = {"score": round(sum(x.passed for x in scored) / len(scored), 4), "passed": sum(x.passed for x in scored), "scored": len(scored)}
    return out


def validate(
    prompts: list[Prompt],
    width: int,
    height: int,
    seconds: float = 4.0,
    fps: float = 8.0,
    supersample: int = 1,
    variants: tuple[str, ...] = tuple(VARIANTS),
    per_variant: int | None = None,
    detector: Detector | None = None,
    through_h264: bool = False,
    on_verdict: Callable[[str, Prompt, dict[str, Verdict]], None] | None = None,
    with_truth: bool = True,
) -> dict[str, Row]:
    """{"truth": row, variant: row, …}; a row maps each dimension to its score over the prompts.

    Each variant is scored on the prompts it applies to (at most `per_variant` of them, in order).
    through_h264: encode and decode every video as an MP4 first, as scoring a folder of videos does.
    with_truth: False leaves the truth row out (only the variants are rendered and scored)."""
    detector = detector or Detector()

    def videos(rendered):
        if not through_h264:
            return rendered.videos
        from kinema.worldbench.calibrate import _h264

        return [_h264(v, fps) for v in rendered.videos]

    table: dict[str, Row] = {}
    verdicts = []
    for prompt in prompts if with_truth else ():
        rendered = truth(prompt, width, height, seconds, fps, supersample)
        result = score_prompt(prompt, videos(rendered), fps, detector)
        verdicts.append(result)
        if on_verdict:
            on_verdict("truth", prompt, result)
    if with_truth:
        table["truth"] = _tally(verdicts)
    for variant in variants:
        verdicts = []
        for prompt in prompts:
            if per_variant is not None and len(verdicts) >= per_variant:
                break
            if not applies(prompt, variant):
                continue
            rendered = broken(prompt, variant, width, height, seconds, fps, supersample)
            if rendered is None:
                continue
            result = score_prompt(prompt, videos(rendered), fps, detector)
            verdicts.append(result)
            if on_verdict:
                on_verdict(variant, prompt, result)
        table[variant] = _tally(verdicts)
    return table


def format_table(table: dict[str, Row]) -> str:
    """Markdown: one row per video kind, one column per dimension, 'score (passed/scored)'."""
    lines = ["| videos | " + " | ".join(DIMENSIONS) + " |", "|---|" + "---|" * len(DIMENSIONS)]
    for kind, row in table.items():
        label = kind if kind == "truth" else f"{kind} (breaks {VARIANTS[kind]})"
        cells = [f"{row[d]['score']:.3f} ({row[d]['passed']}/{row[d]['scored']})" if d in row else "—" for d in DIMENSIONS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = ["format_table", "validate"]
