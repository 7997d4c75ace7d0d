"""What the service calls: safety at the two points of a job's life, and provenance verification.

The service's side is `kinema/service/hooks.py`: its API process sends every text of a request to
`moderate_texts` in a moderation sidecar (`kinema/service/moderation.py`: the policy needs torch, the
API process must not import it) and turns a `PolicyViolation` into OpenAI's 400 `moderation_blocked`
naming the category (with the scores for red-teamers); its worker builds engines with the service's
`Provenance`, passes the job's video id to `generate`, and calls `finish_video` on the result (held →
`OutputHeld` → the job fails with `output_held`, nothing is uploaded); `POST /v1/provenance/verify`
answers `verify_file`.

`moderate` raises `PolicyViolation` (OpenAI's error shape via `to_openai_error`, code
`moderation_blocked`, the category named); red-teamers may be shown `scores(request)`.
`finish_video` runs the output checks (held → `OutputHeld`) and makes sure the file carries its
provenance for *this* video id — already there when the engine stamped it (both engines take
`provenance=` and `generate(..., video_id=)`), added by re-encoding when it is not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kinema.safety.config import SafetyConfig, load_config
from kinema.safety.policy import CATEGORIES, Policy, PolicyConfig, PolicyViolation, default_thresholds, request_texts


class OutputHeld(RuntimeError):
    """A finished video the output checks hold back: it must not be served."""

    code = "output_held"

    def __init__(self, verdict):
        self.verdict = verdict
        labels = ", ".join(sorted({f.label.lower() for f in verdict.findings}))
        super().__init__(f"the video was held by the output checks (nudity: {labels}) and will not be served")


@lru_cache(maxsize=4)
def _policy(thresholds: tuple) -> Policy:
    return Policy(PolicyConfig(thresholds=dict(thresholds)))


def policy_for(config: SafetyConfig | None = None) -> Policy | None:
    """The policy the configuration asks for (None when `[policy] enabled = false`)."""
    config = config or load_config()
    if not config.policy.enabled:
        return None
    thresholds = default_thresholds() | dict(config.policy.thresholds)
    return _policy(tuple(sorted(thresholds.items())))


def moderate(request, config: SafetyConfig | None = None) -> dict:
    """Check every text of a request (prompt, negative prompt, storyboard cards, character names).

    Raises PolicyViolation for the first refused field; returns {field: scores} otherwise (for audit
    and for red-teamers).
    """
    return moderate_texts(request_texts(request), config)


def moderate_texts(fields: dict[str, str], config: SafetyConfig | None = None) -> dict:
    """`moderate` for texts already named by field ({"prompt": …, "name": …}): what the service's
    moderation sidecar runs, since the API process builds the fields without the policy's weights."""
    policy = policy_for(config)
    if policy is None:
        return {}
    results = policy.check(fields)
    return {name: {c: round(r.scores[c], 4) for c in CATEGORIES} for name, r in results.items()}


def scores(request, config: SafetyConfig | None = None) -> dict:
    """Every field's scores and flags, refused or not (what a red-teamer may see)."""
    policy = policy_for(config) or Policy()
    fields = request_texts(request)
    return {name: result.to_dict() for name, result in zip(fields, policy.score(list(fields.values())))}


def finish_video(video_path: Path, *, video_id: str, model: str, request_id: str | None = None,
                 config: SafetyConfig | None = None, provenance=None) -> dict:
    """Output checks, then provenance, on a finished video; returns details to keep with the video.

    Raises OutputHeld when the output checks hold it.
    """
    from kinema.safety.c2pa_manifest import read_manifest
    from kinema.safety.output import check_video
    from kinema.safety.provenance import Provenance

    config = config or load_config()
    details: dict = {}
    if config.output.enabled:
        verdict = check_video(Path(video_path), threshold=config.output.nudity_threshold, frames=config.output.frames)
        details["output_check"] = verdict.to_dict()
        if verdict.held:
            raise OutputHeld(verdict)
    provenance = provenance or Provenance(config)
    manifest = read_manifest(Path(video_path), provenance.trust_anchors())
    if manifest.video_id == video_id and manifest.state in ("valid", "trusted"):
        details["provenance"] = {"video_id": video_id, "c2pa": manifest.state, "stamped_by": "engine"}
    else:
        stamp = provenance.stamp_file(Path(video_path), model=model, video_id=video_id, request_id=request_id)
        details["provenance"] = {**stamp.details(), "stamped_by": "finish_video"}
    return details


def verify_file(path: Path, provenance=None) -> dict:
    """What `POST /v1/provenance/verify` answers for an uploaded file (the JSON of `kinema verify`)."""
    from kinema.safety.verify import verify

    return verify(Path(path), provenance).to_dict()


__all__ = ["OutputHeld", "PolicyViolation", "finish_video", "moderate", "moderate_texts", "policy_for", "scores", "verify_file"]
