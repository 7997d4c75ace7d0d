"""Running WorldBench: videos from a model, from Kinema World's own renderer (the truth), or from a
folder, each scored against the suite.

    kinema worldbench --model kinema-s --out wb/               generate every prompt, then score
    kinema worldbench --truth --size 128x128 --out wb-truth/   score the ground-truth renders
    kinema worldbench --videos DIR --out wb-dir/               score ready-made videos

A folder of videos holds `ID.mp4` per prompt (`ID-v1.mp4`, `ID-v2.mp4`, … for a multi-view prompt's
extra cameras, in the order of the prompt's `scene.views`) — the layout `--model` and `--truth` write
to OUT/videos, and `kinema world render --views` writes. An engine generating a multi-view request
writes its views the same way beside the path it is given.

What a model cannot be asked — a mode its engine does not list among its capabilities (today the
native engine does text-to-video and image; multi-view and storyboard prompts need those modes) — is
reported as not applicable, with the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kinema.worldbench.detector import Detector
from kinema.worldbench.report import PromptResult, frame_strip, write_report
from kinema.worldbench.score import score_prompt
from kinema.worldbench.suite import DIMENSIONS, Prompt, Suite, SuiteError

Progress = Callable[[int, int, PromptResult], None]


@dataclass(frozen=True)
class RunSettings:
    width: int
    height: int
    seconds: float
    fps: float
    seed: int = 0
    steps: int | None = None
    guidance_scale: float | None = None
    supersample: int = 2
    """Ground-truth renders only."""


def video_paths(folder: Path, prompt: Prompt) -> list[Path]:
    views = len(prompt.scene.cameras) if prompt.mode == "multi-view" else 1
    return [Path(folder) / (f"{prompt.id}-v{v}.mp4" if v else f"{prompt.id}.mp4") for v in range(views)]


def _score(prompt: Prompt, paths: list[Path], detector: Detector, dims, out: Path, result: PromptResult) -> PromptResult:
    from kinema.video import read_video

    videos, fps = [], None
    for path in paths:
        frames, rate = read_video(path)
        videos.append(frames)
        fps = fps or rate
    result.videos = paths
    result.verdicts = score_prompt(prompt, videos, float(fps), detector, dims)
    result.strip = frame_strip(videos, out / "strips" / f"{prompt.id}.png")
    result.status = "scored"
    return result


def score_folder(
    prompts: list[Prompt], folder: Path, out: Path, dims=None, detector: Detector | None = None, progress: Progress | None = None
) -> list[PromptResult]:
    """Score `folder`'s videos; a prompt without its video(s) is reported missing."""
    detector = detector or Detector()
    results = []
    for k, prompt in enumerate(prompts):
        start = time.perf_counter()
        paths = video_paths(folder, prompt)
        absent = [p.name for p in paths if not p.is_file()]
        result = PromptResult(prompt, "missing", reason=f"no {', '.join(absent)} in {folder}" if absent else "")
        if not absent:
            _score(prompt, paths, detector, dims, out, result)
        result.seconds = time.perf_counter() - start
        results.append(result)
        if progress:
            progress(k + 1, len(prompts), result)
    return results


def render_truth(prompts: list[Prompt], settings: RunSettings, folder: Path) -> None:
    """Ground-truth videos of `prompts` into `folder`, named as a videos folder must be."""
    from kinema.video import write_video
    from kinema.worldbench.variants import truth

    _claim(folder, {"model": "truth", **asdict(settings)})
    for prompt in prompts:
        if all(p.is_file() for p in video_paths(folder, prompt)):
            continue
        rendered = truth(prompt, settings.width, settings.height, settings.seconds, settings.fps, settings.supersample)
        for path, frames in zip(video_paths(folder, prompt), rendered.videos):
            write_video(path, frames, settings.fps)


def generate(
    engine, prompts: list[Prompt], settings: RunSettings, folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> dict[str, tuple[str, str]]:
    """Ask `engine` for every prompt it can make; returns {prompt id: (status, reason)} for those it
    could not: "not-applicable" (a mode it lacks) or "failed" (it raised)."""
    from kinema.engines.base import RequestError, VideoRequest

    modes = engine.capabilities().modes
    _claim(folder, {"model": engine.name, **asdict(settings)})
    skipped: dict[str, tuple[str, str]] = {}
    for k, prompt in enumerate(prompts):
        if prompt.mode not in modes:
            skipped[prompt.id] = ("not-applicable", f"{engine.name} does not support {prompt.mode} (it supports {', '.join(modes)})")
            continue
        path = video_paths(folder, prompt)[0]
        if all(p.is_file() for p in video_paths(folder, prompt)):
            continue  # made by an earlier, interrupted run
        request = VideoRequest(
            prompt=prompt.prompt,
            seconds=settings.seconds,
            fps=settings.fps,
            size=f"{settings.width}x{settings.height}",
            seed=settings.seed + k,
            steps=settings.steps,
            guidance_scale=settings.guidance_scale,
            mode=prompt.mode,
            views=len(prompt.scene.cameras) if prompt.mode == "multi-view" else None,
            storyboard=prompt.cards,
        )
        try:
            engine.generate(request, path)
        except RequestError as error:
            skipped[prompt.id] = ("failed", str(error))
        if progress:
            progress(k + 1, len(prompts), prompt.id)
    return skipped


def _claim(folder: Path, settings: dict) -> None:
    """Mark `folder` as holding videos made with `settings`; a rerun with the same settings resumes
    (videos already there are kept), one with other settings is refused rather than mixing videos."""
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "settings.json"
    if record.exists():
        previous = json.loads(record.read_text())
        if previous != settings:
            changed = sorted(k for k in settings if previous.get(k) != settings[k])
            raise SuiteError(
                f"{folder} holds videos made with other settings ({', '.join(f'{k}: {previous.get(k)} → {settings[k]}' for k in changed)}); "
                f"use another --out, or the same settings to resume"
            )
        return
    record.write_text(json.dumps(settings, indent=1) + "\n")


def run(
    suite: Suite,
    out: Path,
    source: str,
    settings: RunSettings,
    dims: tuple[str, ...] | None = None,
    limit: int | None = None,
    ids: tuple[str, ...] | None = None,
    model: str | None = None,
    videos: Path | None = None,
    device: str = "cpu",
    progress: Progress | None = None,
) -> dict:
    """The whole run: select prompts, get their videos (model, truth or folder), score, report."""
    prompts = suite.select(dims, limit, ids)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    skipped: dict[str, tuple[str, str]] = {}
    name = model or source
    if source == "model":
        from kinema.engines import load_engine

        # No watermark, signature or fingerprint: benchmark videos are not products (and the
        # watermark's faint pattern is one more thing between the model and the detector).
        engine = load_engine(model, device=device, provenance=False)
        name = engine.name
        folder = out / "videos"
        skipped = generate(engine, prompts, settings, folder)
    elif source == "truth":
        folder = out / "videos"
        render_truth(prompts, settings, folder)
    else:
        folder = Path(videos)
    generated = time.perf_counter()
    detector = Detector()
    wanted = [p for p in prompts if p.id not in skipped]
    results = {r.prompt.id: r for r in score_folder(wanted, folder, out, dims, detector, progress)}
    for prompt in prompts:
        if prompt.id in skipped:
            status, reason = skipped[prompt.id]
            results[prompt.id] = PromptResult(prompt, status, reason=reason)
    ordered = [results[p.id] for p in prompts]
    header = {
        "model": name,
        "source": {"model": "generated by the model", "truth": "Kinema World ground-truth renders", "videos": f"videos from {folder}"}[source],
        "settings": {**asdict(settings), "dims": list(dims or DIMENSIONS), "limit": limit, "prompts": len(prompts)},
        "seconds": {"videos": round(generated - started, 1), "scoring": round(time.perf_counter() - generated, 1)},
    }
    return write_report(ordered, out, header, tuple(dims or DIMENSIONS))


__all__ = ["RunSettings", "generate", "render_truth", "run", "score_folder", "video_paths"]
