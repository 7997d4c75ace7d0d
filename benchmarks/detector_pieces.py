"""Benchmark: how the detector keeps touching pieces of one colour together or apart.

    python benchmarks/detector_pieces.py                  # the suite's prompts with a colour twice, and 120 held-out scenes
    python benchmarks/detector_pieces.py --limit 10 --val-clips 20

Two measures behind `detector.CONVEX_SHARE` and `CONVEX_GAP`:

1. Over every frame of each suite prompt that has two objects of one colour (its ground-truth render,
   128×128, supersample 2, through H.264), every pair of touching same-colour pieces `_attribute` is
   given: whether the renderer's object ids say they are one object or two, whether SegNet's contour
   or a neck parts them, their area ratio and their hull gap (`detector._hull_gap`). Printed per
   prompt and kind, with the range of the gap.
2. On calibrate's held-out scenes (seed 1000, as `python -m kinema.worldbench.calibrate` renders
   them), the objects read once, split, and merged or missed, with the convex rule and without it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import ndimage

import kinema.worldbench.detector as detector
from kinema.worldbench.calibrate import ExampleStore, _h264, _labels, frame_owners
from kinema.worldbench.suite import load_suite
from kinema.worldbench.variants import truth


def _majority(ids: np.ndarray, mask: np.ndarray) -> int:
    covered = ids[mask]
    covered = covered[covered >= 0]
    return int(np.bincount(covered).argmax()) if len(covered) else -1


def suite_pairs(limit: int | None) -> list[dict]:
    """Every touching same-colour pair `_attribute` sees over the prompts with a colour twice."""
    suite = load_suite()
    prompts = [p for p in suite.prompts if len({o.color for o in p.scene.objects}) < len(p.scene.objects)][:limit]
    pairs: list[dict] = []
    reading = {"prompt": "", "ids": None, "frame": -1}  # the prompt and frame being read, its object ids
    original = detector._attribute

    def recording(kept, colour_probs, expected, minimum=3, contour=None, contour_threshold=0.5):
        ids = reading["ids"][reading["frame"]]
        objects = np.logical_or.reduce([mask for _, mask in kept]) if kept else None
        eight = np.ones((3, 3), bool)
        for i, (ci, a) in enumerate(kept):
            grown = ndimage.binary_dilation(a, structure=eight)
            for cj, b in kept[i + 1 :]:
                if ci != cj or not (grown & b).any():
                    continue
                small, large = sorted((int(a.sum()), int(b.sum())))
                pairs.append({
                    "prompt": reading["prompt"],
                    "one object": _majority(ids, a) == _majority(ids, b),
                    "apart": detector._parted(a, b, contour, contour_threshold, minimum),
                    "ratio": small / large,
                    "gap": detector._hull_gap(a | b, objects),
                })
        return original(kept, colour_probs, expected, minimum, contour, contour_threshold)

    reader = detector.Detector()
    components = reader._components

    def counting(*args, **kwargs):  # `read` reads the frames one at a time, in order
        reading["frame"] += 1
        return components(*args, **kwargs)

    reader._components = counting
    detector._attribute = recording
    try:
        for prompt in prompts:
            rendered = truth(prompt, 128, 128, suite.seconds, suite.fps, 2)
            video = _h264(rendered.videos[0], suite.fps)
            reading.update(prompt=prompt.id, ids=_labels(prompt.scene, rendered.ids[0], 2)[2], frame=-1)
            reader.read(video, prompt.scene.sky, prompt.scene.ground, prompt.scene.camera.view, frozenset(o.color for o in prompt.scene.objects))
    finally:
        detector._attribute = original
    print(f"{len(prompts)} prompts with a colour twice")
    return pairs


def held_out(clips: int) -> None:
    """Objects read once, split, merged or missed on calibrate's held-out scenes, with and without the rule."""
    with tempfile.TemporaryDirectory() as folder:
        scenes = ExampleStore(Path(folder), 1000, clips)
        scenes.fill(log_every=0)
        reader = detector.Detector()
        shipped = detector.CONVEX_SHARE
        for label, share in (("with the convex rule", shipped), ("without it", 0.0)):
            detector.CONVEX_SHARE = share
            tally = dict.fromkeys(("objects", "once", "split", "merged or missed"), 0)
            try:
                for visible, owners in frame_owners({label: reader}, scenes):
                    found = owners[label]
                    tally["objects"] += len(visible)
                    tally["once"] += sum(found.count(k) == 1 for k in visible)
                    tally["split"] += sum(found.count(k) > 1 for k in visible)
                    tally["merged or missed"] += sum(found.count(k) == 0 for k in visible)
            finally:
                detector.CONVEX_SHARE = shipped
            print(f"held out, {clips} scenes, {label}: " + ", ".join(f"{k} {v:,}" for k, v in tally.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N prompts with a colour twice")
    parser.add_argument("--val-clips", type=int, default=120, help="held-out scenes (0: none)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for pair in suite_pairs(args.limit):
        groups[(pair["one object"], pair["apart"])].append(pair)
    print("| pieces | parted by a contour or a neck | pairs (frames) | prompts | area ratio, median | hull gap, min–max |")
    print("|---|---|---|---|---|---|")
    for (one, apart), pairs in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        gaps = [p["gap"] for p in pairs]
        prompts = sorted({p["prompt"] for p in pairs})
        print(f"| {'one object' if one else 'two objects'} | {'yes' if apart else 'no'} | {len(pairs)} | {', '.join(prompts)} "
              f"| {np.median([p['ratio'] for p in pairs]):.2f} | {min(gaps):.3f}–{max(gaps):.3f} |")
    if args.val_clips:
        held_out(args.val_clips)
    print(f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
