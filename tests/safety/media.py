"""Synthetic clips for the safety tests: a busy textured pan and a Kinema World scene, seeded."""

from __future__ import annotations

import numpy as np
from PIL import Image

from kinema.video import read_video, write_video
from kinema.world.clip import make_clip
from kinema.world.sampler import sample_scene


def textured(seed: int, width: int = 128, height: int = 128, frames: int = 32) -> np.ndarray:
    """A camera pan over coloured 1/f noise (a natural image's spectrum): (T, H, W, 3) uint8."""
    rng = np.random.default_rng(seed)
    big_w, big_h = width + frames * 2 + 4, height
    fy, fx = np.fft.fftfreq(big_h)[:, None], np.fft.fftfreq(big_w)[None, :]
    amplitude = 1.0 / np.maximum(np.sqrt(fx**2 + fy**2), 1.0 / max(big_w, big_h))
    channels = []
    for _ in range(3):
        field = np.real(np.fft.ifft2(amplitude * np.exp(2j * np.pi * rng.random((big_h, big_w)))))
        channels.append((field - field.mean()) / field.std())
    image = np.clip(np.stack(channels, -1) * 35 + rng.uniform(90, 160, size=3), 0, 255)
    return np.stack([image[:, 2 * i : 2 * i + width] for i in range(frames)]).astype(np.uint8)


def scene(seed: int, width: int = 128, height: int = 128, frames: int = 32) -> np.ndarray:
    """A simulated Kinema World clip of `frames` frames at 8 fps (one ray per pixel, for speed)."""
    clip = make_clip(sample_scene(np.random.default_rng(seed)), width, height, (frames - 1) / 8, 8, supersample=1)
    return clip.frames[0]


def reencode(path, out, crf: int = 28):
    frames, fps = read_video(path)
    return write_video(out, frames, fps, crf=crf)


def resize_half(path, out):
    frames, fps = read_video(path)
    h, w = frames.shape[1:3]
    small = np.stack([np.asarray(Image.fromarray(f).resize((w // 2, h // 2), Image.Resampling.LANCZOS)) for f in frames])
    return write_video(out, small, fps, crf=23)


def crop_tenth(path, out, x0: int = 7, y0: int = 3):
    """Cut 10 % off the width and the height, at an offset (x0, y0)."""
    frames, fps = read_video(path)
    h, w = frames.shape[1:3]
    ch, cw = int(h * 0.9) // 2 * 2, int(w * 0.9) // 2 * 2
    return write_video(out, frames[:, y0 : y0 + ch, x0 : x0 + cw], fps, crf=23)
