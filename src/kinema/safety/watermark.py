"""An invisible watermark in a video's frames: a 64-bit payload that survives re-encoding, resizing and cropping.

The payload is (installation id, video number), 32 bits each; `kinema verify` reads it back from the
pixels alone, so it still answers after the file's metadata (and its C2PA manifest) are stripped.

Design, and why (spread-spectrum watermarking, Cox et al. 1997; tiling for shift invariance, Kutter
1998; Manchester coding in time to cancel the host video):

- **Luma only, added equally to R, G and B**, so the chroma is untouched (H.264's yuv420p halves chroma
  resolution; luma keeps full resolution and most of the bits).
- **A periodic tile** of `TILE`×`TILE` pixels is repeated over the frame. A crop only shifts the
  tile cyclically, so the reader folds the frame onto one tile (averaging all copies, which also
  averages away the picture) and finds the shift with a circular cross-correlation against a known
  pilot pattern. Resizing changes the tile period; the reader tries a short list of scales.
- **Coarse patterns**: the payload patterns are the 15 non-constant Walsh–Hadamard patterns on a 4×4
  grid of 8-pixel cells, smoothed. Low spatial frequencies are what H.264 at CRF 28 and a 0.5×
  downscale keep; Hadamard patterns are exactly orthogonal, so 15 chips share a frame without
  cross-talk.
- **Manchester coding in time**: frame 2j carries +c and frame 2j+1 carries −c for the same chips
  (and the pilot), and the reader takes the difference of the two frames. What the two frames share — almost all of the
  picture — cancels, so the watermark can be a couple of grey levels and still be read from a
  128×128, 32-frame clip. 16 frame pairs × 15 patterns = 240 chips per 32 frames; a longer video
  repeats the cycle and the reader adds the repeats up.
- **Error correction and a check**: 64 payload bits + a 16-bit CRC, encoded with the rate-1/2,
  constraint-length-7 convolutional code (generators 171, 133 octal: the NASA/802.11 code, free
  distance 10) and decoded with a soft-decision Viterbi decoder; the 172 coded bits fill 240 chips
  (the first 68 twice), interleaved over frames and patterns and scrambled by a fixed key. A payload is reported only if its CRC matches, the pilot peak stands
  well above its background and the chips agree with the decoded bits — so unmarked videos do not
  produce detections (measured by `benchmarks/watermark.py`).

Frames are (H, W, 3) uint8 RGB; a clip is (T, H, W, 3).
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

TILE = 32
"""Tile period in pixels at the reference scale (the scale the video was written at)."""
CELLS = 4
"""Payload patterns are Hadamard patterns on CELLS×CELLS cells of TILE/CELLS pixels."""
SLOTS = CELLS * CELLS - 1
"""Patterns per frame (the constant Hadamard row is left out: a frame's brightness is all picture)."""
CYCLE = 32
"""Frames per payload cycle (the default clip is 32 frames: one whole cycle)."""
PAIRS = CYCLE // 2
CHIPS = PAIRS * SLOTS
PAYLOAD_BITS = 64
CODE_BITS = PAYLOAD_BITS + 16  # + CRC-16
CONSTRAINT = 7
GENERATORS = (0o171, 0o133)
CODED_BITS = (CODE_BITS + CONSTRAINT - 1) * len(GENERATORS)  # 172: the data bits, then 6 zeros to end in state 0
KEY = 0x4B494E45  # "KINE": seeds the pilot, the interleaver and the scrambler

AMPLITUDE = 2.0
"""RMS of the payload patterns in grey levels at full strength (the pilot is PILOT_AMPLITUDE)."""
PILOT_AMPLITUDE = 1.0

SCALES = (1.0, 0.5, 1 / 0.9, 0.9, 0.75, 2 / 3, 1.5, 2.0, 0.25, 1280 / 1920, 720 / 1080)
"""Observed pixels per written pixel that the reader tries: as written, the 0.5× and 0.75× downscales,
a 10 % crop scaled back up (1/0.9), common up- and down-scales (2×, 1.5×, ¼, 1080p→720p)."""

PEAKS = 3
"""Pilot peaks tried per scale: the true shift is nearly always the highest, but a busy picture can
push it to second or third place, and the payload check tells the right one."""
MIN_AGREEMENT = 0.92
"""A payload counts only if its CRC-16 matches *and* the chips agree with it this well. Marked videos
read at 0.95-1.0 after the attacks. Unmarked ones mostly read 0.8-0.9, but the highest of 200 in
`benchmarks/watermark.py` reached 0.929: against those, the CRC is the guard (a wrong codeword passes
it with probability 2^-16 per reading, 33 readings per video, so noise passes the CRC in about 1
unmarked video in 2,000 and must then also clear the agreement bar; none of the 200 did either)."""


@dataclass(frozen=True)
class Payload:
    installation: int
    """32-bit id of the Kinema installation that wrote the video."""
    video: int
    """32-bit number of the video; the fingerprint index maps it to the video's id."""

    def __post_init__(self):
        for name in ("installation", "video"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
                raise ValueError(f"watermark {name} {value!r} must be an int in 0..2**32-1")

    def to_bytes(self) -> bytes:
        return self.installation.to_bytes(4, "big") + self.video.to_bytes(4, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Payload:
        return cls(int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big"))


@dataclass(frozen=True)
class Detection:
    found: bool
    payload: Payload | None
    confidence: float
    """0..1: how clearly the chips agree with the decoded payload (0.5 is chance, 1 is perfect)."""
    pilot_z: float
    """How many standard deviations the pilot's correlation peak stands above the rest."""
    scale: float
    """The scale (observed pixels per written pixel) the payload was read at."""
    shift: tuple[int, int]
    """(dy, dx) of the tile in the observed frame, in reference pixels."""
    bits: np.ndarray | None = None
    """The 64 decoded payload bits (even when the check failed), for measuring bit accuracy."""

    def to_dict(self) -> dict:
        return {
            "found": self.found,
            "installation": None if self.payload is None else f"{self.payload.installation:08x}",
            "video_number": None if self.payload is None else f"{self.payload.video:08x}",
            "confidence": round(self.confidence, 4),
            "pilot_z": round(self.pilot_z, 2),
            "scale": round(self.scale, 4),
        }


# --- the code: bits ↔ chips -----------------------------------------------------------------------


def _bits(data: bytes) -> np.ndarray:
    return np.unpackbits(np.frombuffer(data, dtype=np.uint8))


def encode_bits(payload: Payload) -> np.ndarray:
    """Payload → the 80 code bits (64 payload bits, then CRC-16/CCITT of them)."""
    data = payload.to_bytes()
    crc = binascii.crc_hqx(data, 0xFFFF)
    return np.concatenate([_bits(data), _bits(crc.to_bytes(2, "big"))])  # (80,)


def _parity(x: int) -> int:
    return bin(x).count("1") & 1


@lru_cache(maxsize=1)
def _trellis() -> tuple[np.ndarray, np.ndarray]:
    """(next state, ±1 outputs) for every (state, input bit): (64, 2) and (64, 2, 2)."""
    states = 1 << (CONSTRAINT - 1)
    nxt = np.zeros((states, 2), np.int64)
    out = np.zeros((states, 2, len(GENERATORS)))
    for state in range(states):
        for bit in (0, 1):
            register = (bit << (CONSTRAINT - 1)) | state  # newest bit on top
            nxt[state, bit] = register >> 1
            out[state, bit] = [2.0 * _parity(register & g) - 1.0 for g in GENERATORS]
    return nxt, out


def convolve(bits: np.ndarray) -> np.ndarray:
    """Code bits → CODED_BITS coded bits (0/1), the encoder flushed back to state 0."""
    nxt, out = _trellis()
    state, coded = 0, []
    for bit in list(bits) + [0] * (CONSTRAINT - 1):
        coded += list(out[state, int(bit)] > 0)
        state = nxt[state, int(bit)]
    return np.array(coded, np.uint8)


def viterbi(soft: np.ndarray) -> np.ndarray:
    """Soft coded values (CODED_BITS,), positive meaning 1 → the most likely CODE_BITS data bits."""
    nxt, out = _trellis()
    states = nxt.shape[0]
    steps = len(soft) // len(GENERATORS)
    metric = np.full(states, -np.inf)
    metric[0] = 0.0
    back = np.zeros((steps, states, 2), np.int64)  # (previous state, bit) that reached each state
    received = soft.reshape(steps, len(GENERATORS))
    for t in range(steps):
        gain = out @ received[t]  # (states, 2): correlation of each branch's outputs with what came
        candidates = metric[:, None] + gain  # (states, 2)
        new = np.full(states, -np.inf)
        for bit in (0, 1):
            targets = nxt[:, bit]
            for s_from in range(states):
                value = candidates[s_from, bit]
                if value > new[targets[s_from]]:
                    new[targets[s_from]] = value
                    back[t, targets[s_from]] = (s_from, bit)
        metric = new
    state, bits = 0, []  # the flush ends every codeword in state 0
    for t in range(steps - 1, -1, -1):
        state, bit = back[t, state]
        bits.append(bit)
    return np.array(bits[::-1][:CODE_BITS], np.uint8)


@lru_cache(maxsize=1)
def _layout() -> tuple[np.ndarray, np.ndarray]:
    """(coded bit carried by each chip, scrambling sign of each chip), both (CHIPS,)."""
    rng = np.random.default_rng(KEY)
    carried = np.concatenate([np.arange(CODED_BITS), np.arange(CHIPS - CODED_BITS)])  # the first 68 twice
    # Interleave so neighbouring coded bits land in different frames and different patterns.
    carried = carried[rng.permutation(CHIPS)]
    scramble = rng.choice([-1.0, 1.0], size=CHIPS)
    return carried, scramble


def chips_for(payload: Payload) -> np.ndarray:
    """The ±1 chip for every (frame pair, pattern): (PAIRS, SLOTS)."""
    carried, scramble = _layout()
    signs = convolve(encode_bits(payload))[carried] * 2.0 - 1.0
    return (signs * scramble).reshape(PAIRS, SLOTS)


def decode_chips(soft: np.ndarray) -> tuple[np.ndarray, bool, float]:
    """Soft chips (PAIRS, SLOTS), positive meaning +1 → (80 code bits, CRC ok, agreement).

    Agreement is the share of chip energy whose sign matches the re-encoded decoded bits: about 0.6
    for noise (the decoder picks the best-fitting codeword), close to 1 for a clearly marked video.
    """
    carried, scramble = _layout()
    chips = soft.reshape(-1) * scramble
    scale = np.median(np.abs(chips)) + 1e-12
    chips = np.clip(chips / scale, -4.0, 4.0)  # no single chip (a scene cut, a flash) can outvote the rest
    received = np.bincount(carried, weights=chips, minlength=CODED_BITS)
    bits = viterbi(received)
    expected = convolve(bits)[carried] * 2.0 - 1.0
    agreement = float(np.sum(np.abs(chips) * (np.sign(chips) == expected)) / (np.sum(np.abs(chips)) + 1e-12))
    data = np.packbits(bits[:PAYLOAD_BITS]).tobytes()
    crc = int.from_bytes(np.packbits(bits[PAYLOAD_BITS:]).tobytes(), "big")
    return bits, binascii.crc_hqx(data, 0xFFFF) == crc, agreement


# --- the patterns ---------------------------------------------------------------------------------


def _periodic_blur(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a tile, wrapping around (the tile repeats), via the FFT."""
    n = x.shape[-1]
    f = np.fft.fftfreq(n)
    transfer = np.exp(-2 * (math.pi * sigma) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    return np.real(np.fft.ifft2(np.fft.fft2(x) * transfer))


@lru_cache(maxsize=1)
def patterns() -> tuple[np.ndarray, np.ndarray]:
    """(payload patterns (SLOTS, TILE, TILE), pilot (TILE, TILE)), each zero-mean, unit RMS, float32."""
    hadamard = np.array([[1.0]])
    while hadamard.shape[0] < CELLS * CELLS:
        hadamard = np.block([[hadamard, hadamard], [hadamard, -hadamard]])
    cell = TILE // CELLS
    rows = hadamard[1:].reshape(SLOTS, CELLS, CELLS)
    payload = np.stack([_periodic_blur(np.kron(r, np.ones((cell, cell))), cell / 4) for r in rows])
    rng = np.random.default_rng(KEY + 1)
    fine = TILE // 8
    pilot = _periodic_blur(np.kron(rng.choice([-1.0, 1.0], size=(8, 8)), np.ones((fine, fine))), fine / 3)
    # The pilot is made orthogonal to the payload patterns and to a constant, so finding it does
    # not depend on the payload and reading the payload does not see it.
    flat = payload.reshape(SLOTS, -1)
    basis, _ = np.linalg.qr(np.concatenate([np.ones((1, TILE * TILE)), flat]).T)
    p = pilot.reshape(-1)
    p = p - basis @ (basis.T @ p)
    pilot = p.reshape(TILE, TILE)
    unit = lambda x: (x - x.mean()) / x.std()  # noqa: E731
    return np.stack([unit(x) for x in payload]).astype(np.float32), unit(pilot).astype(np.float32)


# --- embedding ------------------------------------------------------------------------------------


class Embedder:
    """Adds the watermark to frames one at a time (streaming: frame i gets chip pair i // 2 of its cycle).

    `strength` scales the amplitude (1.0 is the calibrated default).
    """

    def __init__(self, payload: Payload, strength: float = 1.0):
        if not (math.isfinite(strength) and strength > 0):
            raise ValueError(f"watermark strength {strength!r} must be a finite number > 0")
        self.payload = payload
        chips = chips_for(payload)  # (PAIRS, SLOTS)
        payload_patterns, pilot = patterns()
        # One tile per frame pair, payload at unit RMS per chip set.
        mixed = np.einsum("jk,khw->jhw", chips, payload_patterns) / math.sqrt(SLOTS)  # (PAIRS, TILE, TILE)
        self._pair_tiles = (AMPLITUDE * strength * mixed).astype(np.float32)
        self._pilot = (PILOT_AMPLITUDE * strength * pilot).astype(np.float32)
        self.index = 0

    def tile_for(self, index: int) -> np.ndarray:
        pair, second = divmod(index % CYCLE, 2)
        return (-1.0 if second else 1.0) * (self._pilot + self._pair_tiles[pair])

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        """Watermark the next frame: (H, W, 3) uint8 → (H, W, 3) uint8."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"a frame must be (H, W, 3) uint8 RGB, got shape {frame.shape} dtype {frame.dtype}")
        height, width = frame.shape[:2]
        tile = self.tile_for(self.index)
        self.index += 1
        reps = (-(-height // TILE), -(-width // TILE))
        delta = np.tile(tile, reps)[:height, :width]  # (H, W)
        # Masking: flat, very dark or very bright areas show a pattern most and clip it; scale the
        # watermark down there a little and up in textured areas.
        out = frame.astype(np.float32) + delta[:, :, None] * _mask(frame)[:, :, None]
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    def embed(self, frames: Iterable[np.ndarray]) -> np.ndarray:
        """Watermark a whole clip (T, H, W, 3) from the start of the cycle."""
        self.index = 0
        return np.stack([self(frame) for frame in frames])


def _luma(frame: np.ndarray) -> np.ndarray:
    """BT.601 luma of (..., 3) uint8 RGB as float32 (what yuv420p stores at full resolution)."""
    f = frame.astype(np.float32)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def _box(x: np.ndarray, radius: int) -> np.ndarray:
    """Box mean over (2r+1)² with edge padding, via cumulative sums."""
    k = 2 * radius + 1
    p = np.pad(x, radius, mode="edge")
    c = np.cumsum(np.cumsum(p, 0), 1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def _mask(frame: np.ndarray) -> np.ndarray:
    """Per-pixel strength, 0.6–1.6: stronger where the picture is busy (texture hides the pattern)."""
    y = _luma(frame)
    mean = _box(y, 3)
    activity = np.sqrt(np.maximum(_box(y * y, 3) - mean * mean, 0.0))  # local std
    mask = 0.6 + np.minimum(activity / 8.0, 1.0)
    # Near black or white the pattern would be clipped one way; fade it out smoothly there.
    headroom = np.clip(np.minimum(mean, 255.0 - mean) / 12.0, 0.25, 1.0)
    return (mask * headroom).astype(np.float32)


# --- reading --------------------------------------------------------------------------------------


def _resize(y: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.asarray(Image.fromarray(y, mode="F").resize((width, height), Image.Resampling.BICUBIC))


def _fold(frames: np.ndarray) -> np.ndarray:
    """(T, H, W) → (T, TILE, TILE): each pixel added to its place in the tile, averaged."""
    t, h, w = frames.shape
    ph, pw = -(-h // TILE) * TILE, -(-w // TILE) * TILE
    padded = np.zeros((t, ph, pw), np.float32)
    padded[:, :h, :w] = frames
    count = np.zeros((ph, pw), np.float32)
    count[:h, :w] = 1
    tiles = padded.reshape(t, ph // TILE, TILE, pw // TILE, TILE).sum(axis=(1, 3))
    counts = count.reshape(ph // TILE, TILE, pw // TILE, TILE).sum(axis=(0, 2))
    return tiles / np.maximum(counts, 1)


def _read_at(luma: np.ndarray, scale: float) -> list[Detection]:
    """Try one scale: resample to the written scale, fold, find the pilot, read the chips.

    Returns one reading per pilot peak tried (the PEAKS highest), best first.
    """
    t, h, w = luma.shape
    width, height = round(w / scale), round(h / scale)
    if min(width, height) < 2 * TILE or t < 2:
        return []
    frames = luma if (width, height) == (w, h) else np.stack([_resize(y, width, height) for y in luma])
    payload_patterns, pilot = patterns()

    # 1. the pilot, Manchester-coded like the chips: the difference of the two frames of each pair
    #    cancels the picture they share, the sum over pairs keeps the pilot (the chips average out)
    tiles = _fold(frames)  # (T, TILE, TILE)
    usable = (t // 2) * 2
    summed = (tiles[0:usable:2] - tiles[1:usable:2]).sum(axis=0)  # (TILE, TILE)
    corr = np.real(np.fft.ifft2(np.fft.fft2(summed) * np.conj(np.fft.fft2(pilot)))).reshape(-1)  # (TILE²,)
    order = np.argsort(corr)[::-1]
    background = corr[order[PEAKS:]]

    # 2. the chips: per-frame tiles, aligned to the pattern origin, differenced within each pair
    readings = []
    for flat_index in order[:PEAKS]:
        peak = divmod(int(flat_index), TILE)
        pilot_z = float((corr[flat_index] - background.mean()) / (background.std() + 1e-12))
        aligned = np.roll(tiles, shift=(-peak[0], -peak[1]), axis=(1, 2))
        proj = np.einsum("thw,khw->tk", aligned, payload_patterns)  # (T, SLOTS)
        diffs = proj[0:usable:2] - proj[1:usable:2]  # (pairs seen, SLOTS)
        soft = np.zeros((PAIRS, SLOTS))
        for i, d in enumerate(diffs):  # a video longer than one cycle adds its repeats up
            soft[i % PAIRS] += d
        bits, crc_ok, agreement = decode_chips(soft)
        found = crc_ok and agreement >= MIN_AGREEMENT
        payload = Payload.from_bytes(np.packbits(bits[:PAYLOAD_BITS]).tobytes()) if found else None
        readings.append(Detection(found, payload, agreement, pilot_z, scale, peak, bits[:PAYLOAD_BITS]))
    return readings


def detect(frames: np.ndarray, scales: Iterable[float] = SCALES) -> Detection:
    """Read the watermark from a clip (T, H, W, 3) uint8 RGB (the first frame must be frame 0 of the cycle).

    Tries each scale and pilot peak and returns the first reading whose payload passes the checks,
    or, when none does, the reading with the highest agreement, with `found=False`.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"frames must be (T, H, W, 3) RGB, got shape {frames.shape}")
    luma = _luma(frames)  # (T, H, W)
    best: Detection | None = None
    for scale in scales:
        for reading in _read_at(luma, scale):
            if reading.found:
                return reading
            if best is None or reading.confidence > best.confidence:
                best = reading
    return best or Detection(False, None, 0.0, 0.0, 1.0, (0, 0), None)


__all__ = ["CYCLE", "Detection", "Embedder", "Payload", "TILE", "chips_for", "decode_chips", "detect", "encode_bits", "patterns"]
