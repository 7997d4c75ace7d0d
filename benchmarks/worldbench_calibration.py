"""Benchmark: WorldBench's scorer calibrated over the whole suite — ground truth and broken videos.

    python benchmarks/worldbench_calibration.py                      # every prompt, 128x128, supersample 2, through H.264
    python benchmarks/worldbench_calibration.py --limit 60 --size 96x96 --supersample 1 --no-h264

For every prompt, Kinema World's ground-truth render is scored on every dimension the prompt tests;
then each broken variant (`kinema.worldbench.variants`: wrong colour, object removed halfway, layout
mirrored, motion reversed, camera reversed, teleport, views disagreeing, identity swapped at a cut) is
rendered for every prompt it applies to and scored the same way. The table gives, per kind of video
and per dimension, the share of prompts passing (passed/scored). The bar: ground truth ≥ 0.98 on
every dimension; each variant low on the dimension it breaks and high on the others.
Misses are listed (prompt, dimension, what the scorer saw) so a failure can be looked at.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kinema.engines.base import parse_size
from kinema.worldbench.suite import load_suite
from kinema.worldbench.validation import format_table, validate
from kinema.worldbench.variants import VARIANTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="128x128")
    parser.add_argument("--supersample", type=int, default=2, help="renderer supersampling (Kinema World's default is 2)")
    parser.add_argument("--limit", type=int, help="a representative subset of N prompts instead of all")
    parser.add_argument("--per-variant", type=int, help="score each variant on at most N prompts")
    parser.add_argument("--no-h264", action="store_true", help="score the rendered frames directly, not an encoded MP4")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--json", type=Path, help="write the table and the misses here")
    args = parser.parse_args(argv)

    width, height = parse_size(args.size)
    suite = load_suite()
    prompts = suite.select(limit=args.limit)
    misses: list[dict] = []
    start = time.perf_counter()

    def on_verdict(kind, prompt, verdicts):
        for dim, v in verdicts.items():
            wrong = (not v.passed) if kind == "truth" or VARIANTS[kind] != dim else v.passed
            if wrong:
                misses.append({"videos": kind, "prompt": prompt.id, "dim": dim, "passed": v.passed, "detail": v.detail})
                print(f"  {kind} {prompt.id} {dim}: {'passed' if v.passed else 'failed'} — {v.detail}", file=sys.stderr, flush=True)

    table = validate(
        prompts, width, height, suite.seconds, suite.fps, args.supersample, tuple(args.variants),
        args.per_variant, through_h264=not args.no_h264, on_verdict=on_verdict,
    )
    seconds = time.perf_counter() - start
    print(f"\n{len(prompts)} prompts at {width}x{height}, supersample {args.supersample}, "
          f"{'raw frames' if args.no_h264 else 'through H.264'}, {seconds:.0f} s\n")
    print(format_table(table))
    if args.json:
        args.json.write_text(json.dumps({"settings": vars(args) | {"json": str(args.json)}, "seconds": round(seconds),
                                         "table": table, "misses": misses}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
