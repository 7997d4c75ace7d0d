"""A fingerprint index of every video Kinema makes: perceptual hashes at 2 fps, in SQLite.

The fingerprint answers "was this made here?" when both the manifest and the watermark are gone (a
heavy re-encode, a screen recording): it is computed from what the video looks like, not from
anything written into it.

- **Hash**: the DCT perceptual hash (pHash; Zauner 2010): luma, shrunk to 32×32, 2-D DCT, the 8×8
  lowest frequencies less the DC term compared with their median → 64 bits. Re-encoding, resizing
  and mild colour changes move few bits; a different picture moves about half.
- **Sampling**: one hash every half second (2 fps), from frame round(k · fps / 2).
- **Matching**: each query hash is compared with every hash of a candidate video (so a trimmed or
  shifted copy still lines up); the video's distance is the mean over query hashes of the best
  Hamming distance, divided by 64. Candidates come from an index of 16-bit bands (any band equal →
  candidate: locality-sensitive hashing), so a lookup does not read the whole table.
- **Storage**: SQLite (`fingerprints.sqlite3` in Kinema's data folder, or a path the service gives).
  One row per video (id, installation, watermark number, model, request id, created) and one per
  hash. WAL mode, so a reader never waits for the worker writing.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

HASH_FPS = 2.0
MATCH_DISTANCE = 0.18
"""Largest normalised distance (share of differing bits) counted as the same video."""
BANDS = 4


@lru_cache(maxsize=1)
def _dct_matrix(n: int = 32) -> np.ndarray:
    k = np.arange(n)
    m = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * math.sqrt(2 / n)
    m[0] /= math.sqrt(2)
    return m


def phash(frame: np.ndarray) -> int:
    """64-bit perceptual hash of one (H, W, 3) uint8 RGB frame."""
    f = frame.astype(np.float32)
    y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    small = np.asarray(Image.fromarray(y, mode="F").resize((32, 32), Image.Resampling.BOX), dtype=np.float64)
    d = _dct_matrix()
    coeffs = (d @ small @ d.T)[:8, :8].reshape(-1)[1:]  # 63 low frequencies, DC left out
    bits = np.concatenate([[0], coeffs > np.median(coeffs)])
    return int("".join("1" if b else "0" for b in bits), 2)


def sample_indices(frames: int, fps: float) -> list[int]:
    """Frame indices at 0, 0.5, 1.0, … seconds (HASH_FPS)."""
    if frames < 1 or fps <= 0:
        return []
    step = fps / HASH_FPS
    return sorted({min(frames - 1, round(k * step)) for k in range(int((frames - 1) / step) + 1)})


def fingerprint(frames: Iterable[np.ndarray], fps: float) -> list[int]:
    """Hashes of a clip, sampled at HASH_FPS."""
    frames = list(frames) if not isinstance(frames, np.ndarray) else frames
    return [phash(frames[i]) for i in sample_indices(len(frames), fps)]


class Sampler:
    """Hashes frames as they stream past (for the writer): keeps those at the HASH_FPS instants."""

    def __init__(self, fps: float):
        self.step = fps / HASH_FPS
        self.index = 0
        self.next = 0.0
        self.hashes: list[int] = []

    def __call__(self, frame: np.ndarray) -> None:
        if self.index >= round(self.next):
            self.hashes.append(phash(frame))
            self.next += self.step
        self.index += 1


def _signed(h: int) -> int:
    return h - (1 << 64) if h >= 1 << 63 else h  # SQLite integers are signed 64-bit


def _bands(h: int) -> list[int]:
    return [(h >> (16 * b)) & 0xFFFF for b in range(BANDS)]


def distance(a: int, b: int) -> int:
    return bin((a ^ b) & ((1 << 64) - 1)).count("1")


@dataclass(frozen=True)
class Match:
    video_id: str
    distance: float
    """Mean best Hamming distance per query hash, over 64 (0 is identical; unrelated ≈ 0.5)."""
    installation: str | None
    model: str | None
    request_id: str | None
    created_at: float | None

    def to_dict(self) -> dict:
        return {"video_id": self.video_id, "distance": round(self.distance, 4), "installation": self.installation,
                "model": self.model, "request_id": self.request_id, "created_at": self.created_at}


@dataclass(frozen=True)
class VideoRecord:
    video_id: str
    installation: str | None
    watermark: int | None
    model: str | None
    request_id: str | None
    created_at: float


SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    video_id TEXT PRIMARY KEY,
    installation TEXT,
    watermark INTEGER,
    model TEXT,
    request_id TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS videos_watermark ON videos (installation, watermark);
CREATE TABLE IF NOT EXISTS hashes (
    video_id TEXT NOT NULL REFERENCES videos (video_id) ON DELETE CASCADE,
    t REAL NOT NULL,
    hash INTEGER NOT NULL,
    b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL, b3 INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS hashes_video ON hashes (video_id);
CREATE INDEX IF NOT EXISTS hashes_b0 ON hashes (b0);
CREATE INDEX IF NOT EXISTS hashes_b1 ON hashes (b1);
CREATE INDEX IF NOT EXISTS hashes_b2 ON hashes (b2);
CREATE INDEX IF NOT EXISTS hashes_b3 ON hashes (b3);
"""


class FingerprintIndex:
    """The SQLite index. Safe to open from several processes; each call uses its own connection."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def add(self, video_id: str, hashes: list[int], *, installation: str | None = None, watermark: int | None = None,
            model: str | None = None, request_id: str | None = None) -> None:
        """Record a video (replacing an earlier record of the same id)."""
        with self._connect() as db:
            db.execute("DELETE FROM videos WHERE video_id = ?", (video_id,))
            db.execute(
                "INSERT INTO videos (video_id, installation, watermark, model, request_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (video_id, installation, watermark, model, request_id, time.time()),
            )
            db.executemany(
                "INSERT INTO hashes (video_id, t, hash, b0, b1, b2, b3) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(video_id, k / HASH_FPS, _signed(h), *_bands(h)) for k, h in enumerate(hashes)],
            )

    def by_watermark(self, installation: str, watermark: int) -> VideoRecord | None:
        """The video a watermark payload names, if this index made it."""
        with self._connect() as db:
            row = db.execute(
                "SELECT video_id, installation, watermark, model, request_id, created_at FROM videos "
                "WHERE installation = ? AND watermark = ? ORDER BY created_at DESC LIMIT 1",
                (installation, watermark),
            ).fetchone()
        return VideoRecord(*row) if row else None

    def get(self, video_id: str) -> VideoRecord | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT video_id, installation, watermark, model, request_id, created_at FROM videos WHERE video_id = ?",
                (video_id,),
            ).fetchone()
        return VideoRecord(*row) if row else None

    def lookup(self, hashes: list[int], max_distance: float = MATCH_DISTANCE) -> Match | None:
        """The closest recorded video within `max_distance`, or None."""
        if not hashes:
            return None
        with self._connect() as db:
            candidates: set[str] = set()
            for h in hashes:
                b = _bands(h)
                rows = db.execute(
                    "SELECT DISTINCT video_id FROM hashes WHERE b0 = ? OR b1 = ? OR b2 = ? OR b3 = ? LIMIT 200", b
                ).fetchall()
                candidates.update(r[0] for r in rows)
            best: tuple[float, str] | None = None
            for video_id in candidates:
                stored = [r[0] & ((1 << 64) - 1) for r in db.execute("SELECT hash FROM hashes WHERE video_id = ?", (video_id,))]
                d = float(np.mean([min(distance(q, s) for s in stored) for q in hashes])) / 64
                if best is None or d < best[0]:
                    best = (d, video_id)
            if best is None or best[0] > max_distance:
                return None
            row = db.execute("SELECT installation, model, request_id, created_at FROM videos WHERE video_id = ?", (best[1],)).fetchone()
        return Match(best[1], best[0], *row)


__all__ = ["FingerprintIndex", "HASH_FPS", "MATCH_DISTANCE", "Match", "Sampler", "VideoRecord", "distance", "fingerprint", "phash", "sample_indices"]
