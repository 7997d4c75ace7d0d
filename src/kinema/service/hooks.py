"""The two places in a job's life where safety (PRODUCT.md §6, issue 6) plugs in. Both are no-ops here.

- `before_queue` runs in the API process after a request is validated and before anything is
  written: it sees every text field (prompt, negative prompt, storyboard cards) and the caller, and
  refuses by raising `APIError` (OpenAI's Sora answers 400 with code `moderation_blocked`). The
  route audits the refusal as `job_refused` and queues nothing.
- `before_download` runs in the worker on the finished file, before its upload makes it
  downloadable: it may refuse (raise `APIError`; the job fails with that code and message and nothing
  is uploaded) or rewrite the file in place (a C2PA manifest, a watermark) and return details to
  keep with the video's metadata.

They must stay importable without torch (`before_queue` runs in the API process).
"""

from __future__ import annotations

from pathlib import Path

from kinema.engines.base import VideoRequest


def before_queue(*, request: VideoRequest, user_id: int, role: str, video_id: str) -> None:
    """Check a request before it is queued; raise APIError to refuse it."""


def before_download(*, video_path: Path, request: VideoRequest, video_id: str, metadata: dict) -> dict:
    """Check (and perhaps mark) a finished video before anyone can download it; raise APIError to refuse.

    Returns extra metadata to store with the video (e.g. a provenance manifest id).
    """
    return {}
