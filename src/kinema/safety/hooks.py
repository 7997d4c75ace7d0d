"""What the service calls: safety at the two points of a job's life, and provenance verification.

The service (`kinema.service.hooks`) has a hook before a job is queued and one on the finished
video before it becomes downloadable; these functions are what they call (the wiring is in the
lead's merge; see the issue-6 report):

    # kinema/service/hooks.py
    from kinema.safety import hooks as safety

    def before_queue(*, request, user_id, role, video_id):
        try:
            safety.moderate(request)
        except safety.PolicyViolation as refusal:
            raise APIError(400, str(refusal), param=refusal.field, code=refusal.code)  # moderation_blocked

    def before_download(*, video_path, request, video_id, metadata):
        try:
            return safety.finish_video(video_path, video_id=video_id, model=metadata["model"])
        except safety.OutputHeld as held:
            raise APIError(400, str(held), code=held.code)  # output_held: the job fails, nothing is uploaded

and `POST /v1/provenance/verify` (an uploaded file) answers `safety.verify_file(path)`.

`moderate` raises `PolicyViolation` (OpenAI's error shape via `to_openai_error`, code
`moderation_blocked`, the category named); red-teamers may be shown `scores(request)`.
`finish_video` runs the output checks (held → `OutputHeld`) and makes sure the file carries its
provenance for *this* video id — already there when the worker's engine stamped it (pass
`video_id=` to `NativeEngine.generate` and build engines with the service's `Provenance`), added
by re-encoding when it is not.
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
    policy = policy_for(config)
    if policy is None:
        return {}
    results = policy.check(request_texts(request))
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


__all__ = ["OutputHeld", "PolicyViolation", "finish_video", "moderate", "policy_for", "scores", "verify_file"]
