"""Output checks: sampled frames of a finished video, checked before anyone can download it.

The nudity detector is NudeNet (`nudenet` on PyPI: a YOLOv8-nano detector whose ONNX weights ship
inside the wheel, run by onnxruntime — offline, CPU, ~30 ms a frame). It finds body parts, covered
and exposed; only the *exposed* intimate classes count. A video is **held** when any sampled frame
has one at or above the configured confidence, else it **passes**.

`check_video` is what the service calls on a finished video (before it is marked completed); `held`
results must not be served, and the caller audits them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

EXPOSED = (
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "BUTTOCKS_EXPOSED",
    "ANUS_EXPOSED",
)
"""NudeNet classes that hold a video. Faces, feet, belly, armpits and anything covered do not."""


@dataclass(frozen=True)
class Finding:
    frame: int
    label: str
    score: float
    box: tuple[int, int, int, int]
    """x, y, width, height in the frame's pixels."""


@dataclass(frozen=True)
class OutputVerdict:
    verdict: str
    """"held" or "pass"."""
    frames_checked: int
    findings: tuple[Finding, ...] = ()
    scores: dict = field(default_factory=dict)
    """Highest score per counted class over the sampled frames."""

    @property
    def held(self) -> bool:
        return self.verdict == "held"

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "frames_checked": self.frames_checked,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "findings": [{"frame": f.frame, "label": f.label, "score": round(f.score, 4), "box": list(f.box)} for f in self.findings],
        }


Detector = Callable[[np.ndarray], list[dict]]
"""(H, W, 3) uint8 RGB → NudeNet-style detections: [{"class", "score", "box"}]."""


class OutputCheckUnavailable(RuntimeError):
    """The detector's package is not installed."""


@lru_cache(maxsize=1)
def nudenet_detector() -> Detector:
    try:
        from nudenet import NudeDetector
    except ImportError as error:
        raise OutputCheckUnavailable("output checks need the nudenet package: pip install 'kinema[safety]'") from error
    detector = NudeDetector()

    def detect(frame: np.ndarray) -> list[dict]:
        # NudeNet reads OpenCV's BGR, and its own loader converts from 4 channels: give it BGRA.
        bgra = np.concatenate([frame[..., ::-1], np.full(frame.shape[:2] + (1,), 255, np.uint8)], axis=-1)
        return detector.detect(np.ascontiguousarray(bgra))

    return detect


def sample_frame_indices(total: int, count: int) -> list[int]:
    """`count` frames spread evenly over the video, first and last included."""
    if total <= 0:
        return []
    return sorted({int(i) for i in np.linspace(0, total - 1, min(count, total)).round()})


def judge(detections: Sequence[Sequence[dict]], threshold: float) -> OutputVerdict:
    """Per-frame detections → the verdict (the decision alone, whatever detector produced them)."""
    findings, scores = [], {}
    for index, frame_detections in enumerate(detections):
        for d in frame_detections:
            if d["class"] not in EXPOSED:
                continue
            scores[d["class"]] = max(scores.get(d["class"], 0.0), float(d["score"]))
            if d["score"] >= threshold:
                findings.append(Finding(index, d["class"], float(d["score"]), tuple(int(v) for v in d["box"])))
    return OutputVerdict("held" if findings else "pass", len(detections), tuple(findings), scores)


def check_frames(frames: Sequence[np.ndarray], threshold: float = 0.6, detector: Detector | None = None) -> OutputVerdict:
    detector = detector or nudenet_detector()
    verdict = judge([detector(f) for f in frames], threshold)
    return verdict


def check_video(path: Path, threshold: float = 0.6, frames: int = 8, detector: Detector | None = None) -> OutputVerdict:
    """Check `frames` frames sampled evenly from the video at `path`."""
    from kinema.video import iter_frames, probe

    wanted = set(sample_frame_indices(probe(path).frames, frames))
    picked = [f.copy() for i, f in enumerate(iter_frames(path)) if i in wanted]
    result = check_frames(picked, threshold, detector)
    # Report frame numbers of the video, not of the sample.
    order = sorted(wanted)[: len(picked)]
    findings = tuple(Finding(order[f.frame], f.label, f.score, f.box) for f in result.findings)
    return OutputVerdict(result.verdict, result.frames_checked, findings, result.scores)


__all__ = ["EXPOSED", "Finding", "OutputCheckUnavailable", "OutputVerdict", "check_frames", "check_video", "judge", "nudenet_detector", "sample_frame_indices"]
