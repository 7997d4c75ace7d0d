"""Where safety and provenance (`kinema.safety`, PRODUCT.md §6, issue 6) plug into a job's life.

- `before_queue` runs in the API process after a request is validated and before anything is
  written: every text it carries (prompt, negative prompt, storyboard cards; a character's name via
  `moderate`) goes to the prompt policy in the moderation sidecar (`moderation.py`). A refusal is
  OpenAI's 400 with code `moderation_blocked`, the field as `param` and the category named (a
  red-teamer also sees the scores); the route audits it and queues nothing. When the policy cannot
  answer, the request is refused with a 503 — never queued unread.
- `before_download` runs in the worker on the finished file, before its upload makes it
  downloadable: the output checks (a held video fails its job with code `output_held`, nothing is
  uploaded) and the video's provenance for the service's video id (already in the file when the
  engine stamped it with the service's `Provenance`, added by re-encoding when not).
- `safety_config` / `provenance`: the service's data folder is its safety data folder, so the API,
  the sidecar and the workers share one installation id, signing chain and fingerprint index, and
  `POST /v1/provenance/verify` recognises what the workers made.

Importable without torch: the API process imports it.
"""

from __future__ import annotations

from pathlib import Path

from kinema.engines.base import VideoRequest
from kinema.service.errors import APIError
from kinema.service.moderation import ModerationUnavailable, Moderator, Refused
from kinema.service.ratelimit import retry_after_header
from kinema.service.settings import Settings

SCORES_ROLES = ("red-teamer",)
"""Roles shown the policy's scores when it refuses them (the seed's red-teamers probe the policy)."""


class Refusal(APIError):
    """A request the prompt policy refused: 400 moderation_blocked naming the field and the category."""

    def __init__(self, refused: Refused, *, show_scores: bool):
        extra = {"category": refused.category}
        if show_scores:
            extra["scores"] = refused.scores
        super().__init__(400, str(refused), param=refused.field, code="moderation_blocked", extra=extra)
        self.category = refused.category
        self.scores = refused.scores

    def audit_detail(self) -> dict:
        """What the audit log keeps of a refusal (admins read it; the scores go there whoever asked)."""
        return {"code": self.code, "message": self.message, "field": self.param, "category": self.category, "scores": self.scores}


def safety_config(settings: Settings):
    """The safety configuration of this service: its safety.toml, its data folder."""
    from kinema.safety.config import load_config

    return load_config(settings.safety_config, home=settings.data_dir)


def provenance(settings: Settings):
    """This service's `kinema.safety.provenance.Provenance` (watermark, C2PA chain, fingerprint index)."""
    from kinema.safety.provenance import Provenance

    return Provenance(safety_config(settings))


def moderate(texts: dict[str, str], *, role: str, moderator: Moderator) -> dict:
    """Every text through the policy: its scores by field; raises Refusal (400) or APIError (503)."""
    try:
        return moderator.check(texts)
    except Refused as refused:
        raise Refusal(refused, show_scores=role in SCORES_ROLES) from None
    except ModerationUnavailable as error:
        raise APIError(503, f"prompt moderation is unavailable: {error}; nothing was queued, try again shortly",
                       code="moderation_unavailable", headers=retry_after_header(5)) from None


def before_queue(*, request: VideoRequest, user_id: int, role: str, video_id: str, moderator: Moderator) -> dict:
    """Check a request before it is queued: returns the policy's scores, or raises Refusal / APIError."""
    from kinema.safety.policy import request_texts  # the field names users know; numpy only, no torch

    return moderate(request_texts(request), role=role, moderator=moderator)


def before_download(*, video_path: Path, request: VideoRequest, video_id: str, metadata: dict, request_id: str | None,
                    config, provenance) -> dict:
    """Output checks and provenance on a finished video (in the worker), before anyone can download it.

    Returns details to keep with the video's metadata; raises APIError output_held for a held video.
    """
    from kinema.safety import hooks as safety

    try:
        return safety.finish_video(video_path, video_id=video_id, model=metadata["model"], request_id=request_id,
                                   config=config, provenance=provenance)
    except safety.OutputHeld as held:
        raise APIError(400, str(held), code=held.code, extra={"output_check": held.verdict.to_dict()}) from None


def verify(path: Path, provenance) -> dict:
    """`POST /v1/provenance/verify`: the report of `kinema verify` for an uploaded file."""
    from kinema.safety.hooks import verify_file

    return verify_file(path, provenance)
