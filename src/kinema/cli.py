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
from kinema.engines.base import RequestError, VideoRequest
from kinema.safety.c2pa_manifest import ProvenanceError
from kinema.safety.config import ConfigError as SafetyConfigError
from kinema.safety.hooks import moderate
from kinema.safety.policy import PolicyViolation
from kinema.training.config import ConfigError
from kinema.video import VideoError
from kinema.world.scene import WorldError


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
    gen.add_argument("--model", help="model name (see `kinema models`), checkpoint folder or diffusers folder")
    gen.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.add_argument("--json", action="store_true", help="print the video's metadata as JSON")
    modes = gen.add_argument_group("modes (see `kinema models` for what each model supports)")
    modes.add_argument("--mode", help="text-to-video, image-to-video, extend, connect, edit, loop, storyboard, multi-view, "
                       "camera, image (default: what the inputs below imply, else text-to-video)")
    modes.add_argument("--input-reference", type=Path, help="image-to-video: the first frame (png / jpg / webp)")
    modes.add_argument("--source-video", type=Path, help="extend / edit: the video to continue or change; connect: the first video")
    modes.add_argument("--target-video", type=Path, help="connect: the video to join to")
    modes.add_argument("--direction", default="forward", help="extend: forward (after the source) or backward (before it)")
    modes.add_argument("--strength", type=float, help="edit: 0 keeps the source, 1 ignores it (default 0.6)")
    modes.add_argument("--loop", action="store_true", help="loop: the last frame flows back into the first")
    modes.add_argument("--storyboard", action="append", metavar="SECONDS:PROMPT",
                       help="storyboard: a card, e.g. '0:a red ball on grass' (repeat; the first at 0)")
    modes.add_argument("--views", type=int, help="multi-view: how many cameras film the scene together (2–6)")
    modes.add_argument("--camera", help="camera: static, pan-left, pan-right, orbit-left, orbit-right, dolly-in, dolly-out, "
                       "crane-up, crane-down, or JSON keyframes [{at_second, position, target, fov}, …]")
    add_diffusers_arguments(gen)

    models = commands.add_parser("models", help="list the models Kinema can load and what each supports")
    models.add_argument("--json", action="store_true", help="print as JSON")

    world = commands.add_parser("world", help="Kinema World: build a dataset, render a scene description")
    world_commands = world.add_subparsers(dest="world_command", required=True, parser_class=Parser)
    build = world_commands.add_parser("build", help="make a sharded dataset of simulated, captioned clips")
    build.add_argument("--clips", type=int, required=True, help="how many clips")
    build.add_argument("--out", type=Path, required=True, help="dataset folder (rerun to resume)")
    build.add_argument("--size", default="128x128", help="WxH of the videos (default 128x128)")
    build.add_argument("--seconds", type=float, default=4.0, help="clip length; a clip holds both ends (default 4)")
    build.add_argument("--fps", type=float, default=8.0, help="frames per second (default 8)")
    build.add_argument("--seed", type=int, default=0, help="the same seed gives the same clips")
    build.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: one per core)")
    build.add_argument("--no-video", action="store_true", help="descriptions, captions and trajectories only")
    build.add_argument("--max-objects", type=int, default=4, help="1–6 (default 4)")
    build.add_argument("--difficulty", type=float, default=0.5, help="0–1: more objects, more motion (default 0.5)")
    build.add_argument("--shots", type=float, default=0.1, help="share of clips with cuts (default 0.1)")
    build.add_argument("--multiview", type=float, default=0.0, help="share of clips filmed by several cameras (default 0)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    pack = world_commands.add_parser("pack", help="join a dataset's descriptions, captions and trajectories into one file")
    pack.add_argument("folder", type=Path, help="a `kinema world build` folder")
    pack.add_argument("-o", "--output", type=Path, required=True, help="the .npz to write")
    render = world_commands.add_parser("render", help="render one scene description (JSON) to an MP4")
    render.add_argument("spec", type=Path, help="scene description JSON")
    render.add_argument("-o", "--output", type=Path, default=Path("scene.mp4"))
    render.add_argument("--size", default="128x128")
    render.add_argument("--seconds", type=float, default=4.0)
    render.add_argument("--fps", type=float, default=8.0)
    render.add_argument("--views", action="store_true", help="one MP4 per camera (NAME-v1.mp4, …)")

    train = commands.add_parser("train", help="train the VAE or the DiT on Kinema World (runs under torchrun too)")
    train.add_argument("part", choices=("vae", "dit"), help="which network")
    train.add_argument("--config", type=Path, help="TOML config, e.g. configs/dit-s.toml (default: built-in defaults)")
    train.add_argument("overrides", nargs="*", metavar="section.key=value", help="override any config key")

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

    worldbench = commands.add_parser("worldbench", help="WorldBench: score a model (or videos) on Kinema World's prompt suite")
    source = worldbench.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="generate every prompt with this model (name, checkpoint or diffusers folder)")
    source.add_argument("--truth", action="store_true", help="score Kinema World's own ground-truth renders (the calibration)")
    source.add_argument("--videos", type=Path, help="score a folder of ready-made videos named ID.mp4 (ID-v1.mp4, … for extra views)")
    worldbench.add_argument("--out", type=Path, required=True, help="folder for the videos, report.json and report.html")
    worldbench.add_argument("--dims", nargs="+", metavar="DIM", help="only these dimensions: objects count spatial motion camera physics multi-view storyboard")
    worldbench.add_argument("--limit", type=int, help="at most N prompts, spread over every section")
    worldbench.add_argument("--ids", nargs="+", metavar="ID", help="only these prompts")
    worldbench.add_argument("--size", help="WxH (default: the model's; 128x128 for --truth)")
    worldbench.add_argument("--seconds", type=float, help="video length (default: the suite's, 4)")
    worldbench.add_argument("--fps", type=float, help="frames per second (default: the suite's, 8)")
    worldbench.add_argument("--seed", type=int, default=0, help="prompt k is generated with seed SEED + k")
    worldbench.add_argument("--steps", type=int, help="denoising steps (default: the model's)")
    worldbench.add_argument("--device", default="cpu", help="torch device for the model")
    worldbench.add_argument("--suite", type=Path, help="another suite file (default: the packaged one)")
    worldbench.add_argument("--quiet", action="store_true", help="no progress lines")
    worldbench.add_argument(
        "--modes", nargs="*", metavar="DIM",
        help="with --model: also judge mode dimensions on the selected moving prompts: first-frame, extension-seam, loop-seam "
        "(the three when none is named), stability (a 60-second video each); written to OUT/modes.json",
    )

    bench = commands.add_parser("bench", help="time the model against a diffusers peer")
    from kinema import bench as bench_module

    bench_module.add_arguments(bench)

    from kinema.service import cli as service_cli  # serve, worker, admin

    service_cli.add_commands(commands)
    return parser


def add_diffusers_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the diffusers engine (published open weights); unset ones are chosen from the GPU's memory."""
    from kinema.engines.open_weights import ATTENTION, CACHES, DTYPES, OFFLOADS, QUANTIZE

    group = parser.add_argument_group("diffusers models (published open weights); unset options are chosen from the GPU's memory")
    group.add_argument("--dtype", choices=DTYPES, help="weights and compute precision")
    group.add_argument("--offload", choices=OFFLOADS, help="none, model (one component on the GPU at a time), group (layer by layer)")
    group.add_argument("--vae-tiling", action=argparse.BooleanOptionalAction, default=None, help="decode in tiles (less memory)")
    group.add_argument("--vae-slicing", action="store_true", default=None, help="decode a batch one video at a time")
    group.add_argument("--quantize", choices=QUANTIZE, help="the transformer's weights: fp8 storage, int8 (torchao), nf4 (bitsandbytes)")
    group.add_argument("--compile", action="store_true", default=None, help="torch.compile the transformer blocks")
    group.add_argument("--attention", choices=tuple(ATTENTION), help="attention backend (default sdpa)")
    group.add_argument("--cache", choices=CACHES, help="skip transformer work on steps that change little (faster, slightly different)")
    group.add_argument("--cache-threshold", type=float, help="first-block cache threshold (default 0.05)")


DIFFUSERS_FLAGS = ("dtype", "offload", "vae_tiling", "vae_slicing", "quantize", "compile", "attention", "cache", "cache_threshold")


def diffusers_options(args: argparse.Namespace, engine: str, model: str):
    """The diffusers options given on the command line, or None; an error if given for a native model."""
    from kinema.engines.open_weights import options_from

    given = {name: getattr(args, name) for name in DIFFUSERS_FLAGS if getattr(args, name, None) is not None}
    if not given:
        return None
    if engine != "diffusers":
        flag = "--" + next(iter(given)).replace("_", "-")
        raise UsageError(f"{flag} applies to diffusers models; {model} is a native checkpoint")
    return options_from(given)


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


def implied_mode(args: argparse.Namespace) -> str:
    """--mode when given; otherwise what the inputs imply (as OpenAI's API reads input_reference)."""
    if args.mode:
        return args.mode
    implied = [mode for given, mode in ((args.loop, "loop"), (args.storyboard, "storyboard"), (args.views, "multi-view"),
               (args.camera, "camera"), (args.input_reference, "image-to-video"), (args.target_video, "connect")) if given]
    if len(implied) > 1:
        raise UsageError(f"the inputs imply several modes ({', '.join(implied)}); choose one with --mode")
    if args.source_video and not implied:
        raise UsageError("--source-video needs --mode extend, edit or connect")
    return implied[0] if implied else "text-to-video"


def storyboard_cards(values: list[str] | None) -> tuple:
    from kinema.engines.base import StoryboardCard

    cards = []
    for value in values or ():
        at, colon, prompt = value.partition(":")
        try:
            cards.append(StoryboardCard(float(at), prompt.strip()))
        except ValueError:
            raise UsageError(f"--storyboard {value!r} is not SECONDS:PROMPT (for example '2:a close-up of the ball')") from None
        if not colon:
            raise UsageError(f"--storyboard {value!r} is not SECONDS:PROMPT (for example '2:a close-up of the ball')")
    return tuple(cards)


def cmd_generate(args: argparse.Namespace) -> int:
    from kinema.engines import load_engine, locate_model
    from kinema.engines.base import resolve

    request = VideoRequest(
        prompt=args.prompt,
        negative_prompt=args.negative_prompt,
        seconds=args.seconds,
        fps=args.fps,
        size=args.size,
        seed=args.seed,
        steps=args.steps,
        guidance_scale=args.guidance_scale,
        mode=implied_mode(args),
        input_reference=args.input_reference,
        source_video=args.source_video,
        target_video=args.target_video,
        direction=args.direction,
        strength=args.strength,
        storyboard=storyboard_cards(args.storyboard),
        views=args.views,
        camera=args.camera,
    )
    output = check_output(args.output)
    entry = locate_model(args.model)
    options = diffusers_options(args, entry.engine, entry.name)
    # every check, before loading weights
    if entry.engine == "native":
        resolve(request, entry.capabilities(), seed=0)
    else:
        from kinema.engines.open_weights import plan_request

        plan_request(entry.info(), request, seed=0)
    moderate(request)  # the content policy on every text, before any work: raises PolicyViolation

    from tqdm import tqdm

    engine = load_engine(args.model, device=args.device, options=options)
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
        for field, change in result.details.get("adjusted", {}).items():
            print(f"note: {field} {change['requested']:g} → {change['used']:g} ({change['why']})", file=sys.stderr)
        for note in result.details.get("notes", []):
            print(f"note: {note}", file=sys.stderr)
        r = result.request
        print(
            f"{r.size}, {r.frames} frames at {r.fps:g} fps ({r.seconds:g} s), seed {r.seed}, "
            f"{result.timings['total']:.1f} s",
            file=sys.stderr,
        )
        for path in result.details.get("views", [str(result.path)]):  # multi-view: every camera, then the grid
            print(path)
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
    from kinema.engines import DEFAULT_MODEL, available_models

    rows = []
    for entry in available_models():
        rows.append(
            {
                "name": entry.name,
                "engine": entry.engine,
                "default": entry.name == DEFAULT_MODEL,
                "description": entry.description,
                "repo": entry.repo,
                "downloaded": entry.folder is not None,
                "size_gib": entry.size_gib,
                **entry.capabilities().to_dict(),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no models installed")
    for row in rows:
        mark = " (default)" if row["default"] else ""
        print(f"{row['name']}{mark} — {row['engine']} engine. {row['description']}")
        if row["repo"]:
            where = "downloaded" if row["downloaded"] else f"not downloaded (hf download {row['repo']})"
            print(f"  weights: {row['repo']}, {row['size_gib']:g} GiB in bf16; {where}")
        print(f"  modes: {', '.join(row['modes'])}")
        print(
            f"  size: default {row['default_size']}, trained at {', '.join(row['sizes'])}; any WxH on a "
            f"{row['size_multiple']}-pixel grid from {row['min_side']} to {row['max_side']}"
        )
        fps = f"{row['min_fps']:g}" if row["min_fps"] == row["max_fps"] else f"{row['min_fps']:g}–{row['max_fps']:g}"
        print(
            f"  duration: up to {row['max_seconds']:g} s (default {row['default_seconds']:g} s); fps {fps} "
            f"(default {row['default_fps']:g}); steps default {row['default_steps']}, "
            f"guidance scale default {row['default_guidance_scale']:g}"
        )
    return 0


def cmd_world(args: argparse.Namespace) -> int:
    from kinema.engines.base import parse_size
    from kinema.world import build as world

    if args.world_command == "pack":
        from kinema.world.source import pack

        figures = pack(args.folder, args.output)
        print(f"{figures['clips']} clips → {args.output} ({figures['bytes'] / 1e6:.1f} MB)", file=sys.stderr)
        return 0
    width, height = parse_size(args.size)
    if args.world_command == "render":
        output = check_output(args.output)
        for path in world.render_scene_file(args.spec, output, width, height, args.seconds, args.fps, args.views):
            print(path)
        return 0
    settings = world.BuildSettings(
        clips=args.clips,
        width=width,
        height=height,
        seconds=args.seconds,
        fps=args.fps,
        seed=args.seed,
        video=not args.no_video,
        max_objects=args.max_objects,
        difficulty=args.difficulty,
        shots_probability=args.shots,
        multiview_probability=args.multiview,
    )
    figures = world.build(settings, args.out, workers=args.workers, progress=not args.quiet)
    rate = figures["clips_per_second"]
    print(
        f"{figures['clips']} clips in {args.out} ({figures['made']} made now in {figures['seconds']:g} s"
        f"{f', {rate:g} clips/s' if rate else ''}); {figures['bytes'] / 1e6:.1f} MB on disk",
        file=sys.stderr,
    )
    return 0


def cmd_worldbench(args: argparse.Namespace) -> int:
    from kinema.engines.base import parse_size
    from kinema.worldbench.report import format_table
    from kinema.worldbench.run import RunSettings, run
    from kinema.worldbench.suite import SUITE_PATH, load_suite

    suite = load_suite(args.suite or SUITE_PATH)
    suite.select(tuple(args.dims) if args.dims else None, args.limit, tuple(args.ids) if args.ids else None)  # bad values fail here
    if args.videos is not None and not args.videos.is_dir():
        raise UsageError(f"--videos {str(args.videos)!r} is not a folder")
    if args.modes is not None:
        from kinema.worldbench.modes import MODE_DIMS

        if args.model is None:
            raise UsageError("--modes needs --model (the modes are asked of a model)")
        unknown = [d for d in args.modes if d not in MODE_DIMS]
        if unknown:
            raise UsageError(f"unknown mode dimension(s) {', '.join(unknown)}; allowed: {', '.join(MODE_DIMS)}")
    size = args.size
    if size is None:
        if args.model is not None:
            from kinema.engines import locate_model

            size = locate_model(args.model).capabilities().default_size
        else:
            size = "128x128"
    width, height = parse_size(size)
    settings = RunSettings(width, height, args.seconds or suite.seconds, args.fps or suite.fps, args.seed, args.steps)
    source = "model" if args.model else "truth" if args.truth else "videos"

    def progress(done: int, total: int, result) -> None:
        if not args.quiet:
            marks = " ".join(f"{d}:{'ok' if v.passed else 'FAIL'}" for d, v in result.verdicts.items()) or result.status
            print(f"[{done}/{total}] {result.prompt.id} {marks}", file=sys.stderr)

    document = run(
        suite, args.out, source, settings, tuple(args.dims) if args.dims else None, args.limit,
        tuple(args.ids) if args.ids else None, model=args.model, videos=args.videos, device=args.device, progress=progress,
    )
    print(format_table(document))
    if args.modes is not None:
        print(_worldbench_modes(args, suite, settings))
    print(f"report: {args.out / 'report.html'}", file=sys.stderr)
    return 0


def _worldbench_modes(args: argparse.Namespace, suite, settings) -> str:
    from kinema.engines import load_engine
    from kinema.worldbench.modes import MODE_DIMS, run_modes

    dims = tuple(args.modes) or ("first-frame", "extension-seam", "loop-seam")
    engine = load_engine(args.model, device=args.device, provenance=False)
    prompts = suite.select(tuple(args.dims) if args.dims else None, args.limit, tuple(args.ids) if args.ids else None)
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    rows = run_modes(engine, prompts, settings, args.out, dims, progress=say)
    (args.out / "modes.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = [f"{'mode dimension':<15} {'score':>6} {'passed':>7}  notes"]
    for dim in MODE_DIMS:
        if dim in rows:
            row = rows[dim]
            score = "n/a" if row["score"] is None else f"{row['score']:.3f}"
            notes = f"{row['not_applicable']} not applicable ({row['reason']})" if row["not_applicable"] else ""
            lines.append(f"{dim:<15} {score:>6} {row['passed']:>3}/{row['scored']:<3}  {notes}")
    return "\n".join(lines)


def cmd_train(args: argparse.Namespace) -> int:
    from kinema.training.config import DiTTrainingConfig, VAETrainingConfig, load_config

    if args.part == "vae":
        from kinema.training.train_vae import train
    else:
        from kinema.training.train_dit import train
    config = load_config(VAETrainingConfig if args.part == "vae" else DiTTrainingConfig, args.config, args.overrides)
    train(config)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from kinema import bench

    return bench.run(args)


def user_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean a user mistake. CheckpointError only once its module is loaded:
    importing kinema.checkpoint imports torch, which `kinema serve`'s API process must not."""
    checkpoint = sys.modules.get("kinema.checkpoint")
    return (UsageError, RequestError, VideoError, WorldError, ConfigError, SafetyConfigError, PolicyViolation, ProvenanceError) + ((checkpoint.CheckpointError,) if checkpoint else ())


def service_command(name: str):
    def run(args: argparse.Namespace) -> int:
        try:
            from kinema.service import cli as service_cli
            from kinema.service import settings  # noqa: F401  (fails here when the extra is missing)
        except ImportError as error:
            raise UsageError(f"`kinema {name}` needs the service's packages ({error.name} is missing): pip install 'kinema[service]'") from None
        return service_cli.COMMANDS[name](args)

    return run


COMMANDS = {"generate": cmd_generate, "models": cmd_models, "world": cmd_world, "train": cmd_train, "bench": cmd_bench,
            "worldbench": cmd_worldbench,
            "verify": cmd_verify, "safety": cmd_safety,
            **{name: service_command(name) for name in ("serve", "worker", "admin")}}


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra and args.command == "train" and all("=" in e and not e.startswith("-") for e in extra):
            args.overrides = [*args.overrides, *extra]  # overrides may follow --config
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return COMMANDS[args.command](args)
    except Exception as error:
        if not isinstance(error, user_errors()):
            raise
        print(f"kinema: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kinema: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
