"""Benchmark: WorldBench's scorer calibrated over the whole suite — ground truth and broken videos.

    python benchmarks/worldbench_calibration.py                      # every prompt, 128x128, supersample 2, through H.264
    python benchmarks/worldbench_calibration.py --limit 60 --size 96x96 --supersample 1 --no-h264
    python benchmarks/worldbench_calibration.py --shard 1/2 --json a.json &   # two cores: half the prompts each
    python benchmarks/worldbench_calibration.py --shard 2/2 --json b.json; wait
    python benchmarks/worldbench_calibration.py --merge a.json b.json       # one table from the shards

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
from kinema.worldbench.suite import DIMENSIONS, load_suite
from kinema.worldbench.validation import format_table, validate
from kinema.worldbench.variants import VARIANTS


def modes_table(n: int, width: int, height: int) -> str:
    """The mode dimensions (issue 7) on ground truth and on videos that break each one, over n prompts:
    first frame (the truth's first frame / its last frame / mirrored), extension seam (the truth split
    at 1 s / the second part 1.25 s late / another prompt's video), connection (the truth's thirds with
    its middle between / a middle ending on another prompt's video), loop (played there and back / the
    plain clip), 60-second stability (60 s at 2 fps / the second object gone from 45 s)."""
    import numpy as np

    from kinema.worldbench.detector import Detector
    from kinema.worldbench.modes import connection_seams, first_frame_fidelity, loop_seam, seam_continuity, stability
    from kinema.worldbench.rendering import render_scene

    suite = load_suite()
    detector = Detector()
    moving = [p for p in suite.select(dims=("motion",), limit=len(suite.prompts)) if any(o.motion in ("roll", "slide") for o in p.scene.objects)][:n]
    videos = [render_scene(p.scene, width, height, 4.0, 8.0).videos[0] for p in moving]
    rows: dict[str, list[bool]] = {}

    def tally(name, verdict):
        rows.setdefault(name, []).append(verdict.passed)

    for k, (p, v) in enumerate(zip(moving, videos)):
        tally("first frame: truth", first_frame_fidelity(v[0], v, p, detector))
        tally("first frame: another moment", first_frame_fidelity(v[-1], v, p, detector))
        tally("first frame: mirrored", first_frame_fidelity(np.ascontiguousarray(v[0][:, ::-1]), v, p, detector))
        tally("seam: truth", seam_continuity(v, 8, p, detector))
        tally("seam: 1.25 s late", seam_continuity(np.concatenate([v[:8], v[18:]]), 8, p, detector))
        other = videos[(k + 1) % len(videos)]
        tally("seam: another scene", seam_continuity(np.concatenate([v[:8], other[8:]]), 8, p, detector))
        third = len(v) // 3
        tally("connect: truth", connection_seams(v, third, third, p, detector))
        tally("connect: ends on another scene", connection_seams(np.concatenate([v[:-third], other[-third:]]), third, third, p, detector))
        tally("loop: there and back", loop_seam(np.concatenate([v, v[-2:0:-1]]), p, detector))
        tally("loop: plain clip", loop_seam(v, p, detector))
    still = [p for p in suite.select(dims=("objects",), limit=len(suite.prompts)) if p.section == "objects" and p.objects >= 2][:n]
    for p in still:

        def vanish(batches, times):
            batches[0].shape[times >= 45.0, 1] = -1

        tally("60 s: truth", stability(render_scene(p.scene, width, height, 60.0, 2.0).videos[0], 2.0, p, detector))
        tally("60 s: object gone at 45 s", stability(render_scene(p.scene, width, height, 60.0, 2.0, edit=vanish).videos[0], 2.0, p, detector))
    lines = ["| mode dimension: videos | passed | share |", "|---|---|---|"]
    lines += [f"| {name} | {sum(v)}/{len(v)} | {sum(v) / len(v):.3f} |" for name, v in rows.items()]
    return "\n".join(lines)


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' → (K, N) with 1 ≤ K ≤ N: the K-th of N interleaved slices of the prompts."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: expected K/N, e.g. 1/2") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def merge_tables(tables: list[dict]) -> dict:
    """Sum passed and scored per video kind and dimension over the shards' tables."""
    out: dict = {}
    for table in tables:
        for kind, row in table.items():
            for dim, cell in row.items():
                acc = out.setdefault(kind, {}).setdefault(dim, {"passed": 0, "scored": 0})
                acc["passed"] += cell["passed"]
                acc["scored"] += cell["scored"]
    for row in out.values():
        for cell in row.values():
            cell["score"] = round(cell["passed"] / cell["scored"], 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="128x128")
    parser.add_argument("--supersample", type=int, default=2, help="renderer supersampling (Kinema World's default is 2)")
    parser.add_argument("--limit", type=int, help="a representative subset of N prompts instead of all")
    parser.add_argument("--dims", nargs="+", choices=DIMENSIONS, help="only the prompts testing any of these dimensions")
    parser.add_argument("--per-variant", type=int, help="score each variant on at most N prompts")
    parser.add_argument("--no-h264", action="store_true", help="score the rendered frames directly, not an encoded MP4")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--no-truth", action="store_true", help="only the broken variants (run beside a truth-only run to use two cores)")
    parser.add_argument("--json", type=Path, help="write the table and the misses here")
    parser.add_argument("--modes", type=int, default=0, metavar="N", help="also calibrate the mode dimensions on N moving prompts (and N still ones for 60 s)")
    parser.add_argument("--modes-only", action="store_true", help="only the mode dimensions")
    parser.add_argument("--shard", type=parse_shard, metavar="K/N", help="score only every N-th prompt, starting at the K-th")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="JSON", help="print one table from shards' --json files, and their misses")
    args = parser.parse_args(argv)
    if args.merge:
        shards = [json.loads(path.read_text()) for path in args.merge]
        print(format_table(merge_tables([s["table"] for s in shards])))
        for miss in sorted((m for s in shards for m in s["misses"]), key=lambda m: (m["videos"], m["prompt"])):
            print(f"  {miss['videos']} {miss['prompt']} {miss['dim']}: {'passed' if miss['passed'] else 'failed'} — {miss['detail']}")
        print(f"\n{sum(s['seconds'] for s in shards)} s in all over {len(shards)} shards")
        return 0
    if args.modes_only:
        print(modes_table(args.modes or 12, *parse_size(args.size)))
        return 0

    width, height = parse_size(args.size)
    suite = load_suite()
    prompts = suite.select(dims=tuple(args.dims) if args.dims else None, limit=args.limit)
    if args.shard:
        k, n = args.shard
        prompts = prompts[k - 1 :: n]
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
        args.per_variant, through_h264=not args.no_h264, on_verdict=on_verdict, with_truth=not args.no_truth,
    )
    seconds = time.perf_counter() - start
    print(f"\n{len(prompts)} prompts at {width}x{height}, supersample {args.supersample}, "
          f"{'raw frames' if args.no_h264 else 'through H.264'}, {seconds:.0f} s\n")
    print(format_table(table))
    if args.modes:
        print()
        print(modes_table(args.modes, width, height))
    if args.json:
        args.json.write_text(json.dumps({"settings": vars(args) | {"json": str(args.json)}, "seconds": round(seconds),
                                         "table": table, "misses": misses}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
