"""`kinema verify FILE`: was this video made here?

Three independent witnesses, then one verdict:

- **manifest** — the file's C2PA manifest: absent, tampered (signed, then changed), valid (signed
  and intact; signer not trusted here) or trusted (signed by this installation's or a configured
  root). Metadata stripping removes it; any edit breaks it.
- **watermark** — the payload read from the pixels (installation id, video number) with its
  confidence. Survives re-encoding, resizing and cropping; the index maps the number to a video id.
- **fingerprint** — the nearest video in this installation's fingerprint index and its distance.
  Survives anything that keeps the picture recognisable, but only for videos this index recorded.

Verdict:

- **made here** — a trusted Kinema manifest, a watermark carrying this installation's id, or a
  fingerprint match;
- **not made here** — none of those, and the checks could run: the watermark was readable (enough
  frames, big enough) and nothing matched; a Kinema manifest or watermark from another installation
  lands here too, and says so;
- **unknown** — the evidence could not be read (too few frames or pixels for the watermark, a
  tampered manifest with nothing else to go on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kinema.safety.c2pa_manifest import ManifestReport, read_manifest
from kinema.safety.fingerprint import HASH_FPS, Match, phash
from kinema.safety.provenance import Provenance
from kinema.safety.watermark import TILE, Detection, detect

WATERMARK_FRAMES = 64
"""Frames read for the watermark: two payload cycles (the first frame starts a cycle)."""


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    verdict: str
    """made here | not made here | unknown."""
    reasons: tuple[str, ...]
    manifest: ManifestReport
    watermark: Detection | None
    watermark_video_id: str | None
    fingerprint: Match | None
    installation: str
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        wm = self.watermark
        return {
            "file": str(self.path),
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "manifest": self.manifest.to_dict(),
            "watermark": None if wm is None else {
                **wm.to_dict(),
                "video_id": self.watermark_video_id,
                "this_installation": bool(wm.found and wm.payload and f"{wm.payload.installation:08x}" == self.installation),
            },
            "fingerprint": None if self.fingerprint is None else self.fingerprint.to_dict(),
            "installation": self.installation,
            "notes": list(self.notes),
        }


def _read(path: Path) -> tuple[np.ndarray | None, list[int], float, tuple[int, int]]:
    """(first WATERMARK_FRAMES frames, 2-fps hashes of the whole video, fps, (W, H)) in one decoding pass."""
    from kinema.video import iter_frames, probe

    info = probe(path)
    step = info.fps / HASH_FPS if info.fps > 0 else 1.0
    frames, hashes, next_hash = [], [], 0.0
    for i, frame in enumerate(iter_frames(path)):
        if i < WATERMARK_FRAMES:
            frames.append(frame.copy())
        if i >= round(next_hash):
            hashes.append(phash(frame))
            next_hash += step
    return (np.stack(frames) if frames else None), hashes, info.fps, (info.width, info.height)


def verify(path: Path, provenance: Provenance | None = None) -> VerifyReport:
    """Check a video file's manifest, watermark and fingerprint, and give one verdict."""
    path = Path(path)
    provenance = provenance or Provenance.from_config()
    here = f"{provenance.installation:08x}"
    manifest = read_manifest(path, provenance.trust_anchors())
    frames, hashes, _fps, (width, height) = _read(path)

    notes = []
    watermark = None
    readable = frames is not None and len(frames) >= 8 and min(width, height) >= TILE
    if readable:
        watermark = detect(frames)
    else:
        notes.append(f"the video is too short or too small to carry a readable watermark ({width}x{height}, "
                     f"{0 if frames is None else len(frames)} frames; at least {TILE} px and 8 frames)")
    index = provenance.index()
    wm_video = None
    if watermark is not None and watermark.found and index is not None:
        record = index.by_watermark(f"{watermark.payload.installation:08x}", watermark.payload.video)
        wm_video = record.video_id if record else None
    match = index.lookup(hashes) if index is not None else None

    reasons, elsewhere = [], []
    if manifest.state == "trusted" and manifest.made_by_kinema:
        reasons.append(f"C2PA manifest signed by a trusted Kinema key ({manifest.signer}), video {manifest.video_id}")
    elif manifest.state == "valid" and manifest.made_by_kinema:
        elsewhere.append(f"valid C2PA manifest from Kinema, but its signer ({manifest.signer}) is not trusted here")
    elif manifest.state == "tampered":
        notes.append("the C2PA manifest does not match the file: it was changed after signing")
    if watermark is not None and watermark.found:
        payload = watermark.payload
        if f"{payload.installation:08x}" == here:
            reasons.append(f"watermark of this installation ({here}), video number {payload.video:08x}"
                           + (f" = {wm_video}" if wm_video else "") + f", confidence {watermark.confidence:.3f}")
        else:
            elsewhere.append(f"watermark of another Kinema installation ({payload.installation:08x})")
    if match is not None:
        reasons.append(f"fingerprint matches {match.video_id} (distance {match.distance:.3f})")

    if reasons:
        verdict = "made here"
    elif elsewhere:
        verdict, reasons = "not made here", elsewhere
    elif readable and manifest.state != "tampered":
        verdict = "not made here"
        reasons = ["no Kinema manifest, no watermark of this installation, no fingerprint match"]
    else:
        verdict = "unknown"
        reasons = ["the evidence could not be read: " + "; ".join(notes)]
    return VerifyReport(path, verdict, tuple(reasons), manifest, watermark, wm_video, match, here, tuple(notes))


def format_report(report: VerifyReport) -> str:
    """The report as `kinema verify` prints it: one line per witness, then the verdict."""
    m, w, f = report.manifest, report.watermark, report.fingerprint
    lines = [f"{report.path}"]
    manifest = m.state
    if m.state in ("valid", "trusted", "tampered") and (m.generator or m.signer):
        manifest += f" — generator {m.generator}, model {m.model}, request {m.request_id}, video {m.video_id}, signer {m.signer}"
    if m.problems:
        manifest += f" — {'; '.join(m.problems[:2])}"
    lines.append(f"  manifest:    {manifest}")
    if w is None:
        lines.append("  watermark:   not readable")
    elif w.found:
        vid = f" = {report.watermark_video_id}" if report.watermark_video_id else ""
        lines.append(f"  watermark:   installation {w.payload.installation:08x}, video number {w.payload.video:08x}{vid} "
                     f"(confidence {w.confidence:.3f})")
    else:
        lines.append(f"  watermark:   none (confidence {w.confidence:.3f})")
    lines.append(f"  fingerprint: {'no match' if f is None else f'{f.video_id} (distance {f.distance:.3f})'}")
    lines.append(f"  verdict:     {report.verdict} — {'; '.join(report.reasons)}")
    return "\n".join(lines)


__all__ = ["VerifyReport", "format_report", "verify"]
