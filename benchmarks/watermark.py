"""Benchmark: the watermark's bit accuracy after each attack, at each size, and false detections.

    python benchmarks/watermark.py                 # 128x128 and 1280x720, 12 videos per size
    python benchmarks/watermark.py --videos 40 --unmarked 200 --json wm.json

For every size, N clips (Kinema World scenes and textured pans, 32 frames at 8 fps: Kinema's default
length) are watermarked with random payloads and written as Kinema writes them (H.264, CRF 18).
Each file is then attacked as someone passing it on would:

- `reencode`: decoded and re-encoded with H.264 at CRF 28;
- `resize`:   scaled to 0.5× (Lanczos) and re-encoded (CRF 23, FFmpeg's default);
- `crop`:     10 % of the width and of the height cut off (at a random offset), re-encoded (CRF 23);
- `strip`:    all metadata dropped and re-encoded at CRF 28 (what `kinema verify` must survive).

and read back. Bit accuracy is the share of the 64 payload bits read correctly (whether or not the
check passed); `found` is the share of videos whose payload passed all checks. Then `--unmarked`
clips that were never watermarked are read, and every detection on them is a false positive.
Also printed: the PSNR of the watermarked frames against the originals (how visible it is).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from kinema.safety.watermark import Embedder, Payload, detect
from kinema.video import read_video, write_video
from kinema.world.clip import make_clip
from kinema.world.sampler import sample_scene

ATTACKS = ("none", "reencode", "resize", "crop", "strip")


def textured_clip(rng: np.random.Generator, width: int, height: int, frames: int) -> np.ndarray:
    """A camera pan over 1/f noise (the spectrum of natural images), coloured: a busy picture."""
    big_w, big_h = width + frames * 3 + 8, height + 8
    fy = np.fft.fftfreq(big_h)[:, None]
    fx = np.fft.fftfreq(big_w)[None, :]
    amplitude = 1.0 / np.maximum(np.sqrt(fx**2 + fy**2), 1.0 / max(big_w, big_h))
    channels = []
    for _ in range(3):
        phase = np.exp(2j * np.pi * rng.random((big_h, big_w)))
        field = np.real(np.fft.ifft2(amplitude * phase))
        channels.append((field - field.mean()) / field.std())
    image = np.stack(channels, -1) * rng.uniform(25, 50) + rng.uniform(80, 170, size=3)
    image = np.clip(image, 0, 255)
    speed = rng.uniform(0.5, 3.0)
    return np.stack([image[4 : 4 + height, int(i * speed) : int(i * speed) + width] for i in range(frames)]).astype(np.uint8)


def clip(rng: np.random.Generator, width: int, height: int, frames: int, index: int) -> np.ndarray:
    if index % 2 == 0:
        # one ray per pixel: a 720p clip is ~1 min to render on 2 CPU cores even so
        return make_clip(sample_scene(rng), width, height, (frames - 1) / 8, 8, supersample=1).frames[0]
    return textured_clip(rng, width, height, frames)


def attack(path: Path, name: str, out: Path, rng: np.random.Generator) -> Path:
    frames, fps = read_video(path)
    if name == "none":
        return path
    if name in ("reencode", "strip"):
        return write_video(out, frames, fps, crf=28)  # write_video copies no metadata: stripped
    t, h, w, _ = frames.shape
    if name == "resize":
        size = (w // 2 // 2 * 2, h // 2 // 2 * 2)
        frames = np.stack([np.asarray(Image.fromarray(f).resize(size, Image.Resampling.LANCZOS)) for f in frames])
    elif name == "crop":
        cw, ch = int(w * 0.9) // 2 * 2, int(h * 0.9) // 2 * 2
        x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        frames = frames[:, y0 : y0 + ch, x0 : x0 + cw]
    return write_video(out, frames, fps, crf=23)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255**2 / max(mse, 1e-12)))


def run(sizes: list[tuple[int, int]], videos: int, unmarked: int, frames: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    report: dict = {"videos_per_size": videos, "frames": frames, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for width, height in sizes:
            key = f"{width}x{height}"
            per_attack = {a: {"bits": [], "found": []} for a in ATTACKS}
            psnrs, seconds = [], []
            for i in range(videos):
                original = clip(rng, width, height, frames, i)
                payload = Payload(int(rng.integers(2**32)), int(rng.integers(2**32)))
                marked = Embedder(payload).embed(original)
                psnrs.append(psnr(original, marked))
                src = write_video(tmp / "marked.mp4", marked, 8.0)
                truth = np.unpackbits(np.frombuffer(payload.to_bytes(), np.uint8))
                for name in ATTACKS:
                    attacked = attack(src, name, tmp / f"{name}.mp4", rng)
                    start = time.perf_counter()
                    result = detect(read_video(attacked)[0])
                    seconds.append(time.perf_counter() - start)
                    accuracy = 0.0 if result.bits is None else float(np.mean(result.bits == truth))
                    per_attack[name]["bits"].append(accuracy)
                    per_attack[name]["found"].append(bool(result.found and result.payload == payload))
            report["sizes"][key] = {
                "psnr_db": round(float(np.mean(psnrs)), 2),
                "detect_seconds": round(float(np.mean(seconds)), 3),
                "attacks": {
                    a: {
                        "bit_accuracy": round(float(np.mean(v["bits"])), 4),
                        "worst_bit_accuracy": round(float(np.min(v["bits"])), 4),
                        "found": round(float(np.mean(v["found"])), 4),
                    }
                    for a, v in per_attack.items()
                },
            }
            print(f"{key}: PSNR {report['sizes'][key]['psnr_db']} dB, detect {report['sizes'][key]['detect_seconds']} s/video", file=sys.stderr)
            for a, v in report["sizes"][key]["attacks"].items():
                print(f"  {a:9s} bit accuracy {v['bit_accuracy']:.4f} (worst {v['worst_bit_accuracy']:.4f}), payload found {v['found']:.2%}", file=sys.stderr)

        false_positives, pilot = 0, []
        width, height = sizes[0]
        for i in range(unmarked):
            original = clip(rng, width, height, frames, i)
            path = write_video(tmp / "plain.mp4", original, 8.0, crf=int(rng.choice([18, 23, 28])))
            result = detect(read_video(path)[0])
            false_positives += int(result.found)
            pilot.append(result.confidence)
        report["unmarked"] = {
            "videos": unmarked,
            "size": f"{width}x{height}",
            "false_positives": false_positives,
            "max_agreement": round(float(np.max(pilot)) if pilot else 0.0, 3),
        }
        print(f"unmarked: {false_positives} false detections in {unmarked} videos ({width}x{height}); highest agreement {report['unmarked']['max_agreement']}", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="128x128,1280x720", help="comma-separated WxH sizes")
    parser.add_argument("--videos", type=int, default=12, help="marked videos per size")
    parser.add_argument("--unmarked", type=int, default=200, help="unmarked videos for the false-positive count")
    parser.add_argument("--frames", type=int, default=32, help="frames per clip (Kinema's default: 32 at 8 fps)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",")]
    report = run(sizes, args.videos, args.unmarked, args.frames, args.seed)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
