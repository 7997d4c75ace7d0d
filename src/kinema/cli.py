"""The `kinema` command: parses, checks, calls the engines, prints. No logic of its own.

A user mistake (a bad size, an unknown model, an unwritable path) ends with one line naming the
problem and exit code 2, before any model is loaded; a bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kinema import __version__
from kinema.checkpoint import CheckpointError
from kinema.engines.base import RequestError, VideoRequest
from kinema.safety.c2pa_manifest import ProvenanceError
from kinema.safety.config import ConfigError
from kinema.safety.hooks import moderate
from kinema.safety.policy import PolicyViolation
from kinema.video import VideoError


class UsageError(Exception):
    """A mistake in the command line: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage and exits; we want one line
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> Parser:
    parser = Parser(prog="kinema", description="Kinema: open text-to-video.")
    parser.add_argument("--version", action="version", version=f"kinema {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    gen = commands.add_parser("generate", help="make a video from a prompt")
    gen.add_argument("prompt", help="what the video shows")
    gen.add_argument("-o", "--output", type=Path, default=Path("kinema.mp4"), help="where to write the MP4 (default kinema.mp4)")
    gen.add_argument("--seconds", type=float, help="duration, up to 60 (default: the model's)")
    gen.add_argument("--size", help="WxH in pixels, on the model's grid (default: the model's)")
    gen.add_argument("--fps", type=float, help="frames per second (default: the model's)")
    gen.add_argument("--seed", type=int, help="random seed; the same request and seed give the same video")
    gen.add_argument("--steps", type=int, help="denoising steps (default: the model's)")
    gen.add_argument("--guidance-scale", type=float, help="classifier-free guidance scale (default: the model's)")
    gen.add_argument("--negative-prompt", default="", help="what the video should not show")
    gen.add_argument("--model", help="model name (see `kinema models`) or checkpoint folder")
    gen.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.add_argument("--json", action="store_true", help="print the video's metadata as JSON")

    models = commands.add_parser("models", help="list the models Kinema can load and what each supports")
    models.add_argument("--json", action="store_true", help="print as JSON")

    verify = commands.add_parser("verify", help="was this video made here? (C2PA manifest, watermark, fingerprint)")
    verify.add_argument("file", type=Path, help="the video to check (mp4, webm, mov, gif)")
    verify.add_argument("--json", action="store_true", help="print the full report as JSON")

    safety = commands.add_parser("safety", help="the prompt policy and output checks")
    safety_commands = safety.add_subparsers(dest="safety_command", required=True, parser_class=Parser)
    evaluate = safety_commands.add_parser("eval", help="precision, recall and false-block rate on the held-out prompts")
    evaluate.add_argument("--json", action="store_true", help="print as JSON (with every miss and false block)")
    check = safety_commands.add_parser("check", help="score texts against the policy, as red-teamers see it")
    check.add_argument("texts", nargs="+", help="prompts to score")
    check_video = safety_commands.add_parser("check-video", help="the output checks (nudity) on a video: held or pass")
    check_video.add_argument("file", type=Path, help="the video to check")
    check_video.add_argument("--json", action="store_true", help="print as JSON")

    bench = commands.add_parser("bench", help="time the model against a diffusers peer")
    from kinema import bench as bench_module

    bench_module.add_arguments(bench)
    return parser


def check_output(path: Path) -> Path:
    """The output must be an .mp4 in an existing, writable folder; checked before any work is done."""
    if path.suffix.lower() != ".mp4":
        raise UsageError(f"output {str(path)!r} must end in .mp4")
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable")
    if path.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: it is a folder")
    return path


def cmd_generate(args: argparse.Namespace) -> int:
    from kinema.checkpoint import read_config
    from kinema.engines import resolve_model
    from kinema.engines.base import resolve
    from kinema.engines.native import capabilities

    request = VideoRequest(
        prompt=args.prompt,
        negative_prompt=args.negative_prompt,
        seconds=args.seconds,
        fps=args.fps,
        size=args.size,
        seed=args.seed,
        steps=args.steps,
        guidance_scale=args.guidance_scale,
    )
    output = check_output(args.output)
    folder = resolve_model(args.model)
    resolve(request, capabilities(read_config(folder)), seed=0)  # every check, before loading weights
    moderate(request)  # the content policy on every text, before any work: raises PolicyViolation

    from tqdm import tqdm

    from kinema.engines.native import NativeEngine

    engine = NativeEngine(folder, device=args.device)
    bar = None if args.quiet else tqdm(total=1, desc="denoising", unit="step", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    result = engine.generate(request, output, progress=None if bar is None else progress)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps({"path": str(result.path), **result.metadata()}, indent=2))
    else:
        r = result.request
        print(
            f"{r.size}, {r.frames} frames at {r.fps:g} fps ({r.seconds:g} s), seed {r.seed}, "
            f"{result.timings['total']:.1f} s",
            file=sys.stderr,
        )
        print(result.path)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from kinema.safety.verify import format_report, verify
    from kinema.video import VIDEO_SUFFIXES

    if not args.file.is_file():
        raise UsageError(f"{str(args.file)!r} is not a file")
    if args.file.suffix.lower() not in VIDEO_SUFFIXES:
        raise UsageError(f"{str(args.file)!r}: verify reads {', '.join(VIDEO_SUFFIXES)} files")
    report = verify(args.file)
    print(json.dumps(report.to_dict(), indent=2) if args.json else format_report(report))
    return 0


def cmd_safety(args: argparse.Namespace) -> int:
    from kinema.safety.config import load_config

    if args.safety_command in ("eval", "check"):
        from kinema.safety.hooks import policy_for
        from kinema.safety.policy import Policy

        policy = policy_for() or Policy()  # configured thresholds; the trained ones if the policy is off
        if args.safety_command == "eval":
            from kinema.safety.evaluate import evaluate, format_table

            report = evaluate(policy)
            print(json.dumps(report, indent=2) if args.json else format_table(report))
        else:
            for result in policy.score(args.texts):
                print(json.dumps({"text": result.text, **result.to_dict()}))
        return 0
    from kinema.safety.output import OutputCheckUnavailable, check_video

    if not args.file.is_file():
        raise UsageError(f"{str(args.file)!r} is not a file")
    settings = load_config().output
    try:
        verdict = check_video(args.file, threshold=settings.nudity_threshold, frames=settings.frames)
    except OutputCheckUnavailable as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2))
    else:
        worst = ", ".join(f"{k} {v:.2f}" for k, v in sorted(verdict.scores.items(), key=lambda kv: -kv[1])) or "nothing found"
        print(f"{verdict.verdict} ({verdict.frames_checked} frames checked; {worst})")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from kinema.checkpoint import read_config
    from kinema.engines import DEFAULT_MODEL, available_models
    from kinema.engines.native import capabilities

    rows = []
    for entry in available_models():
        caps = capabilities(read_config(entry.folder))
        rows.append({"name": entry.name, "engine": entry.engine, "default": entry.name == DEFAULT_MODEL, "description": entry.description, **caps.to_dict()})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no models installed")
    for row in rows:
        mark = " (default)" if row["default"] else ""
        print(f"{row['name']}{mark} — {row['engine']} engine. {row['description']}")
        print(f"  modes: {', '.join(row['modes'])}")
        print(
            f"  size: default {row['default_size']}, trained at {', '.join(row['sizes'])}; any WxH on a "
            f"{row['size_multiple']}-pixel grid from {row['min_side']} to {row['max_side']}"
        )
        print(
            f"  duration: up to {row['max_seconds']:g} s (default {row['default_seconds']:g} s); fps {row['min_fps']:g}–"
            f"{row['max_fps']:g} (default {row['default_fps']:g}); steps default {row['default_steps']}, "
            f"guidance scale default {row['default_guidance_scale']:g}"
        )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from kinema import bench

    return bench.run(args)


COMMANDS = {"generate": cmd_generate, "models": cmd_models, "bench": cmd_bench, "verify": cmd_verify, "safety": cmd_safety}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, RequestError, CheckpointError, VideoError, PolicyViolation, ConfigError, ProvenanceError) as error:
        print(f"kinema: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kinema: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
