"""Accepting a video job: every check, then one transaction that queues it — or nothing at all.

The order is the point: (1) the model, (2) the request against that model's capabilities (the very
`resolve` the engine will run, so the API and the worker can never disagree), (3) quotas, (4) the
prompt policy (`hooks.before_queue`, in the moderation sidecar), and only then (5) the uploads are
stored and (6) the row is inserted and committed. A request refused at any step leaves no row and no
file behind; a policy refusal is audited as `job_refused`.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict

from sqlalchemy.orm import Session

from kinema.engines.base import Capabilities, RequestError, StoryboardCard, VideoRequest, resolve
from kinema.service import hooks, queue, store
from kinema.service.errors import APIError, bad_request
from kinema.service.ratelimit import retry_after_header
from kinema.service.requests import Upload
from kinema.service.schemas import Options, VideoError, VideoObject
from kinema.service.security import new_id
from kinema.service.settings import Settings
from kinema.service.storage import Storage
from kinema.service.tables import RegisteredModel, User, Video

INPUT_FIELDS = ("input_reference", "source_video", "target_video")


def find_model(session: Session, settings: Settings, requested: str | None) -> RegisteredModel:
    """The registered model a request names (by name, alias or the folder a worker was given)."""
    wanted = requested or settings.default_model
    target = settings.alias_target(wanted) or wanted
    models = queue.registered_models(session)
    for model in models:
        if target in (model.name, model.source):
            return model
    if not models:
        raise APIError(503, "no worker has registered a model yet; start one with `kinema worker` (or wait for `kinema serve`'s)",
                       code="no_workers", headers=retry_after_header(5))
    names = sorted({m.name for m in models} | set(settings.model_aliases))
    raise bad_request(f"unknown model {wanted!r}; available: {', '.join(names)}", param="model", code="model_not_found")


def capabilities_of(model: RegisteredModel) -> Capabilities:
    caps = dict(model.capabilities)
    caps.pop("fixed_size", None)
    caps["modes"], caps["sizes"] = tuple(caps["modes"]), tuple(caps["sizes"])
    return Capabilities(**caps)


def check_fixed_size(model: RegisteredModel, size: str) -> None:
    """A model whose worker says it makes only its `sizes` (learned positions, CogVideoX-I2V) refuses others
    here, as its engine would after queueing."""
    caps = model.capabilities
    if caps.get("fixed_size") and size not in caps["sizes"]:
        raise bad_request(f"size {size} is not supported by {model.name}; it makes only {', '.join(caps['sizes'])}", param="size")


def mode_for(options: Options, *, base: str, has_image: bool = False, explicit: str | None = None) -> str:
    """The PRODUCT.md §1 mode a request asks for; more than one mode-defining input is an error."""
    chosen = [name for name, on in (
        ("image-to-video", has_image), ("storyboard", bool(options.storyboard)), ("multi-view", options.views is not None),
        ("camera", options.camera is not None), ("loop", options.loop),
    ) if on]
    if base != "text-to-video":
        chosen = [base, *chosen]
    if explicit and explicit != "text-to-video":
        chosen = [explicit, *chosen]
    if len(chosen) > 1:
        raise bad_request(f"this request asks for several modes at once ({', '.join(chosen)}); Kinema runs one mode per video", param="mode")
    return chosen[0] if chosen else "text-to-video"


def check_quota(session: Session, settings: Settings, user: User, seconds: float) -> None:
    quota = store.quota_for(settings, user)
    now = time.time()
    used = store.usage(session, owner_id=user.id, since=now - store.DAY)
    retry = retry_after_header((used.oldest_at or now) + store.DAY - now)
    if quota.concurrent_jobs is not None and used.active >= quota.concurrent_jobs:
        raise APIError(429, f"you already have {used.active} videos queued or in progress; your limit is {quota.concurrent_jobs} at once",
                       code="concurrent_limit_exceeded", headers=retry_after_header(settings.poll_after_ms / 1000 * 5))
    if quota.videos_per_day is not None and used.videos + 1 > quota.videos_per_day:
        raise APIError(429, f"you have made {used.videos} videos in the last 24 hours; your quota is {quota.videos_per_day}",
                       code="insufficient_quota", headers=retry)
    if quota.seconds_per_day is not None and used.seconds + seconds > quota.seconds_per_day:
        raise APIError(429, f"this video ({seconds:g} s) would bring your last 24 hours to {used.seconds + seconds:g} s of video; "
                       f"your quota is {quota.seconds_per_day:g} s", code="insufficient_quota", headers=retry)


def accept(
    session: Session,
    *,
    settings: Settings,
    storage: Storage,
    user: User,
    ip: str | None,
    prompt: str,
    options: Options,
    mode: str,
    model: str | None,
    seconds: float | None = None,
    size: str | None = None,
    direction: str = "forward",
    strength: float | None = None,
    uploads: dict[str, Upload] | None = None,
    stored_inputs: dict[str, str] | None = None,
    remixed_from: str | None = None,
    source_video_id: str | None = None,
    seconds_before: float = 0.0,
    moderator,
) -> Video:
    """Validate, check quotas and safety, store the uploads and queue the job; returns the new row (committed).

    `moderator`: the app's `moderation.Moderator`, which reads every text of the request.
    """
    uploads = uploads or {}
    registered = find_model(session, settings, model)
    seed = options.seed if options.seed is not None else secrets.randbits(63)
    request = VideoRequest(
        prompt=prompt, negative_prompt=options.negative_prompt, seconds=seconds, fps=options.fps, size=size, seed=seed,
        steps=options.steps, guidance_scale=options.guidance_scale, mode=mode, direction=direction, strength=strength,
        storyboard=tuple(StoryboardCard(c.at_second, c.prompt) for c in options.storyboard or ()),
        views=options.views, camera=options.camera,
    )
    try:
        resolved = resolve(request, capabilities_of(registered))
    except RequestError as error:
        message = str(error)
        if error.param == "mode":
            message = f"model {registered.name!r} cannot do {mode!r}: {message}"
        raise bad_request(message, param=error.param) from None
    check_fixed_size(registered, resolved.size)

    check_quota(session, settings, user, resolved.seconds)
    video_id = new_id("video")
    try:
        hooks.before_queue(request=request, user_id=user.id, role=user.role, video_id=video_id, moderator=moderator)
    except hooks.Refusal as refusal:
        store.audit(session, action="job_refused", user_id=user.id, target=video_id, ip=ip,
                    detail={**refusal.audit_detail(), "prompt": prompt[:500]})
        session.commit()
        raise

    params = {
        "negative_prompt": resolved.negative_prompt, "seconds": resolved.seconds, "fps": resolved.fps, "size": resolved.size,
        "seed": resolved.seed, "steps": resolved.steps, "guidance_scale": resolved.guidance_scale, "direction": direction,
        "strength": strength, "storyboard": [asdict(c) for c in request.storyboard], "views": options.views,
        "camera": options.camera, "loop": options.loop, "frames": resolved.frames,
        "request_id": new_id("req"),  # the API request that made the job: its video's C2PA manifest names it
    }
    inputs = dict(stored_inputs or {})
    prefix = f"inputs/{video_id}"
    try:
        for name, upload in uploads.items():
            key = f"{prefix}/{name}{upload.suffix}"
            storage.put_bytes(key, upload.data, upload.content_type)
            inputs[name] = key
        video = Video(
            id=video_id, owner_id=user.id, status="queued", progress=0, model=model or registered.name,
            engine_model=registered.name, mode=mode, prompt=prompt, params=params, inputs=inputs, size=resolved.size,
            seconds=f"{resolved.seconds + seconds_before:g}", remixed_from_video_id=remixed_from,
            source_video_id=source_video_id, outputs={}, attempts=0, created_at=time.time(),
        )
        session.add(video)
        store.audit(session, action="job_created", user_id=user.id, target=video_id, ip=ip,
                    detail={"mode": mode, "model": registered.name, "seconds": resolved.seconds, "size": resolved.size})
        session.commit()
    except BaseException:
        session.rollback()
        if uploads:
            storage.delete_prefix(prefix)
        raise
    return video


def to_object(video: Video) -> VideoObject:
    error = VideoError(code=video.error_code or "error", message=video.error_message or "") if video.status == "failed" else None
    return VideoObject(
        id=video.id, model=video.model, status=video.status, progress=video.progress, created_at=int(video.created_at),
        completed_at=int(video.completed_at) if video.completed_at else None,
        expires_at=int(video.expires_at) if video.expires_at else None, prompt=video.prompt, size=video.size,
        seconds=video.seconds, remixed_from_video_id=video.remixed_from_video_id, error=error,
        kinema={"mode": video.mode, "engine_model": video.engine_model, "source_video_id": video.source_video_id,
                **{k: v for k, v in (video.params or {}).items()}, "result": video.result},
    )
