"""Provenance on every video Kinema writes: watermark in the frames, C2PA manifest on the file,
fingerprints in the index — and the one place that ties the three to a video id.

How it plugs into writing (`kinema.video.VideoWriter(stamp=...)`):

    stamp = Provenance.from_config().stamp(model="kinema-s", request_id="req_…", fps=8)
    with VideoWriter(path, fps=8, stamp=stamp) as writer:   # the writer calls, in order:
        ...                                                # stamp.frame(frame)  → watermarked frame
                                                           # stamp.seal(temp, path) → manifest signed in
                                                           # stamp.commit(path)  → fingerprints indexed

so the watermark goes into the frames before encoding, the manifest is signed onto the finished
temporary file before it is renamed into place (readers never see an unsigned video), and the index
only learns of a video that exists. `Provenance.stamp_file` does the same for a video written by
something else (decode, watermark, re-encode, sign, index): the service's hook for finished videos.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kinema.safety.c2pa_manifest import SigningChain, make_local_chain, sign_mp4
from kinema.safety.config import SafetyConfig, installation_id, load_config
from kinema.safety.fingerprint import FingerprintIndex, Sampler
from kinema.safety.watermark import Embedder, Payload


def new_video_id() -> str:
    """An id for a video the CLI makes (the service brings its own, `video_…` too)."""
    return f"video_{secrets.token_hex(12)}"


def watermark_number(video_id: str) -> int:
    """The 32-bit number the watermark carries for a video id (the index maps it back)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(video_id.encode()).digest()[:4], "big")


@dataclass
class Stamp:
    """Provenance for one video being written. Made by `Provenance.stamp`."""

    provenance: Provenance
    video_id: str
    model: str
    request_id: str
    fps: float
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        settings = self.provenance.config.provenance
        self.installation = self.provenance.installation
        self.number = watermark_number(self.video_id)
        self._embed = Embedder(Payload(self.installation, self.number), settings.watermark_strength) if settings.watermark else None
        self._sampler = Sampler(self.fps)

    @property
    def payload(self) -> str:
        return f"{self.installation:08x}:{self.number:08x}"

    def frame(self, frame: np.ndarray) -> np.ndarray:
        """The frame to encode: watermarked (and fingerprinted as it will look)."""
        if self._embed is not None:
            frame = self._embed(frame)
        self._sampler(frame)
        return frame

    def seal(self, path: Path, final: Path) -> None:
        """Sign the finished, still temporary file at `path` in place (`final` is where it will go)."""
        chain = self.provenance.chain()
        if chain is not None:
            sign_mp4(path, chain, title=Path(final).name, model=self.model,
                     request_id=self.request_id, video_id=self.video_id,
                     extra={"watermark": self.payload if self._embed else None, **self.extra})

    def commit(self, path: Path) -> None:
        """The video is at `path`: record its fingerprints."""
        index = self.provenance.index()
        if index is not None:
            index.add(self.video_id, self._sampler.hashes, installation=f"{self.installation:08x}",
                      watermark=self.number, model=self.model, request_id=self.request_id)

    def details(self) -> dict:
        settings = self.provenance.config.provenance
        return {"video_id": self.video_id, "request_id": self.request_id,
                "watermark": self.payload if self._embed else None, "c2pa": settings.c2pa,
                "fingerprints": len(self._sampler.hashes) if settings.fingerprints else 0}


class Provenance:
    """Signing chain, installation id and fingerprint index for one installation (or one service)."""

    def __init__(self, config: SafetyConfig | None = None, index: FingerprintIndex | None = None):
        self.config = config or load_config()
        self._index = index
        self._chain: SigningChain | None = None
        self.installation = installation_id(self.config.home)

    @classmethod
    def from_config(cls) -> Provenance:
        return cls(load_config())

    def chain(self) -> SigningChain | None:
        settings = self.config.provenance
        if not settings.c2pa:
            return None
        if self._chain is None:
            if settings.key is not None:
                self._chain = SigningChain(settings.key, settings.certificates, settings.trust_anchors)
            else:
                self._chain = make_local_chain(self.config.home / "c2pa")
        return self._chain

    def trust_anchors(self) -> list[Path]:
        """Roots `verify` calls trusted: the configured ones, and this installation's local CA."""
        anchors = [self.config.provenance.trust_anchors] if self.config.provenance.trust_anchors else []
        local = self.config.home / "c2pa" / "ca.pem"
        return [p for p in [*anchors, local] if p is not None and p.is_file()]

    def index(self) -> FingerprintIndex | None:
        if not self.config.provenance.fingerprints:
            return None
        if self._index is None:
            self._index = FingerprintIndex(self.config.fingerprint_db)
        return self._index

    def stamp(self, *, model: str, fps: float, video_id: str | None = None, request_id: str | None = None,
              extra: dict | None = None) -> Stamp:
        video_id = video_id or new_video_id()
        return Stamp(self, video_id, model, request_id or video_id, float(fps), dict(extra or {}))

    def stamp_file(self, path: Path, *, model: str, video_id: str | None = None, request_id: str | None = None) -> Stamp:
        """Give provenance to a video written without a stamp: re-encode it with the watermark, sign, index.

        Replaces the file atomically; returns the stamp used (its `video_id` names the video).
        """
        from kinema.video import VideoWriter, iter_frames, probe

        path = Path(path)
        info = probe(path)
        stamp = self.stamp(model=model, fps=info.fps, video_id=video_id, request_id=request_id)
        with VideoWriter(path.with_name(path.stem + ".stamped.mp4"), info.fps, stamp=stamp) as writer:
            for frame in iter_frames(path):
                writer.write(frame)
        Path(writer.path).replace(path)
        return stamp


__all__ = ["Provenance", "Stamp", "new_video_id", "watermark_number"]
