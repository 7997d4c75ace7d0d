"""The Videos API: /v1/videos and its sub-resources, in OpenAI's paths and shapes.

Every route is a plain `def`: FastAPI runs it in its thread pool, so a route waiting on the database
(SQLite's write lock) never stalls the event loop. Bodies are read beforehand by `BodyDep`.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from kinema.service import hooks, jobs, store
from kinema.service.auth import CurrentUser, SessionDep, client_ip
from kinema.service.errors import APIError, bad_request, not_found
from kinema.service.requests import BodyDep, check_image, check_video, image_from_reference, parse
from kinema.service.schemas import (
    ERROR_RESPONSES, CharacterObject, CreateVideoBody, EditBody, ExtendBody, RemixBody, VideoDeleted, VideoList, VideoObject,
)
from kinema.service.tables import Video

router = APIRouter(prefix="/v1/videos", tags=["videos"], responses=ERROR_RESPONSES)

VARIANTS = {"video": ("video", "video/mp4", "mp4"), "thumbnail": ("thumbnail", "image/webp", "webp"), "spritesheet": ("spritesheet", "image/jpeg", "jpg")}


def body_spec(model: type, files: dict[str, str] | None = None) -> dict:
    """OpenAPI requestBody for a route that reads its body itself: JSON, or multipart with file parts."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    multipart = {"allOf": [ref, {"type": "object", "properties": {k: {"type": "string", "format": "binary", "description": v} for k, v in (files or {}).items()}}]}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}, "multipart/form-data": {"schema": multipart}}}}


def video_response(request: Request, video: Video) -> JSONResponse:
    headers = {}
    if video.status in ("queued", "in_progress"):
        headers["openai-poll-after-ms"] = str(request.app.state.settings.poll_after_ms)
    return JSONResponse(jobs.to_object(video).model_dump(mode="json"), headers=headers)


def owned_video(session, user, video_id: str, param: str | None = None) -> Video:
    video = store.get_video(session, video_id=video_id, owner_id=user.id)
    if video is None:
        raise not_found("video", video_id, param)
    return video


def completed_source(session, user, video_id: str, param: str) -> Video:
    video = owned_video(session, user, video_id, param)
    if video.status != "completed" or "video" not in (video.outputs or {}):
        raise bad_request(f"video {video_id!r} is {video.status}, not completed; only a completed video can be used here", param=param, code="video_not_ready")
    return video


def source_from(session, user, body, param: str = "video", role: str = "source_video"):
    """The source video of an edit or extension (or, as `role` target_video, the video a connection
    joins to): an uploaded file, or {"id": …} of a completed video here.

    Returns (uploads, stored_inputs, source video row or None, size of the source, seconds of the source).
    """
    if param in body.files:
        upload = body.files[param]
        checked, info = check_video(upload.data, param, upload.content_type, upload.filename)
        return {role: checked}, {}, None, None, info["frames"] / info["fps"]
    reference = body.fields.get(param)
    if not isinstance(reference, dict) or not reference.get("id"):
        raise APIError(400, f"Missing required parameter: '{param}' (a video file, or {{\"id\": \"video_…\"}}).", param=param, code="missing_required_parameter")
    source = completed_source(session, user, str(reference["id"]), f"{param}.id")
    return {}, {role: source.outputs["video"]}, source, source.size, float(source.seconds)


@router.post("", response_model=VideoObject, openapi_extra=body_spec(CreateVideoBody, {"input_reference": "The first frame: PNG, JPEG or WebP."}))
def create_video(request: Request, user: CurrentUser, session: SessionDep, body: BodyDep) -> JSONResponse:
    """Create a video from a prompt (and optionally a first frame)."""
    files = dict(body.files)
    upload = files.pop("input_reference", None)
    if files:
        unexpected = sorted(files)[0]
        raise APIError(400, f"Unknown parameter: '{unexpected}' (a file).", param=unexpected, code="unknown_parameter")
    fields = parse(CreateVideoBody, body.fields)
    uploads = {}
    if upload is not None:
        uploads["input_reference"] = check_image(upload.data, "input_reference")
    elif fields.input_reference is not None:
        data = image_from_reference(fields.input_reference.image_url, fields.input_reference.file_id, "input_reference")
        uploads["input_reference"] = check_image(data, "input_reference")
    mode = jobs.mode_for(fields, base="text-to-video", has_image=bool(uploads), explicit=fields.mode)
    video = jobs.accept(
        session, settings=request.app.state.settings, storage=request.app.state.storage, moderator=request.app.state.moderator,
        user=user, ip=client_ip(request),
        prompt=fields.prompt, options=fields, mode=mode, model=fields.model, seconds=fields.seconds, size=fields.size, uploads=uploads,
    )
    return video_response(request, video)


@router.get("", response_model=VideoList)
def list_videos(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    after: Annotated[str | None, Query(description="Id of the last video of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
) -> VideoList:
    """List your videos, newest first (or oldest first with order=asc)."""
    rows, has_more = store.list_videos(session, owner_id=user.id, after=after, limit=limit, order=order)
    data = [jobs.to_object(v) for v in rows]
    return VideoList(data=data, first_id=data[0].id if data else None, last_id=data[-1].id if data else None, has_more=has_more)


@router.get("/{video_id}", response_model=VideoObject)
def retrieve_video(request: Request, video_id: str, session: SessionDep, user: CurrentUser) -> JSONResponse:
    """A video's status, progress and details; `openai-poll-after-ms` says when to ask again."""
    return video_response(request, owned_video(session, user, video_id))


@router.delete("/{video_id}", response_model=VideoDeleted)
def delete_video(request: Request, video_id: str, session: SessionDep, user: CurrentUser) -> VideoDeleted:
    """Delete a video and its files; a queued or running one is cancelled."""
    video = owned_video(session, user, video_id)
    now = time.time()
    if video.status in ("queued", "in_progress"):
        video.status, video.error_code, video.error_message = "failed", "deleted", "deleted before it finished"
        video.lease_token = video.lease_expires_at = None  # fences the worker out: its next heartbeat stops it
        video.completed_at = now
    video.deleted_at = now
    store.audit(session, action="video_deleted", user_id=user.id, target=video_id, ip=client_ip(request))
    session.commit()
    storage = request.app.state.storage
    storage.delete_prefix(f"videos/{video_id}")
    storage.delete_prefix(f"inputs/{video_id}")
    return VideoDeleted(id=video_id)


@router.get("/{video_id}/content", responses={200: {"content": {"video/mp4": {}, "image/webp": {}, "image/jpeg": {}}}})
def download_content(
    request: Request,
    video_id: str,
    session: SessionDep,
    user: CurrentUser,
    variant: Annotated[str, Query(description="video (MP4), thumbnail (WebP) or spritesheet (JPEG)")] = "video",
):
    """Download the MP4, or its thumbnail or spritesheet."""
    if variant not in VARIANTS:
        raise bad_request(f"variant {variant!r} is not one of {', '.join(VARIANTS)}", param="variant")
    video = owned_video(session, user, video_id)
    if video.status != "completed":
        raise bad_request(f"video {video_id!r} is {video.status}; its content can be downloaded once it is completed", code="video_not_ready")
    if video.expires_at and video.expires_at < time.time():
        raise APIError(404, f"video {video_id!r} expired and its files were deleted", code="video_expired")
    output, media_type, suffix = VARIANTS[variant]
    key = (video.outputs or {}).get(output)
    session.close()  # release the database before a long download
    if key is None:
        raise APIError(404, f"video {video_id!r} has no {variant}", param="variant", code="variant_not_found")
    storage = request.app.state.storage
    filename = f"{video_id}.{suffix}"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    local = getattr(storage, "local_path", None)
    if local is not None:  # lets Starlette answer Range requests, so browsers can seek
        path = local(key)
        if not path.is_file():
            raise APIError(404, f"the {variant} of video {video_id!r} is missing from storage", code="content_missing")
        return FileResponse(path, media_type=media_type, headers=headers)
    try:
        chunks = storage.open_stream(key)
    except FileNotFoundError:
        raise APIError(404, f"the {variant} of video {video_id!r} is missing from storage", code="content_missing") from None
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


@router.post("/{video_id}/remix", response_model=VideoObject, openapi_extra=body_spec(RemixBody))
def remix_video(request: Request, video_id: str, user: CurrentUser, session: SessionDep, body: BodyDep) -> JSONResponse:
    """Make a new video from a completed one and a new prompt (Kinema's edit mode, SDEdit-style)."""
    if body.files:
        raise bad_request("remix takes no files; it remixes the video in the path", param=sorted(body.files)[0], code="unknown_parameter")
    fields = parse(RemixBody, body.fields)
    source = completed_source(session, user, video_id, "video_id")
    video = jobs.accept(
        session, settings=request.app.state.settings, storage=request.app.state.storage, moderator=request.app.state.moderator,
        user=user, ip=client_ip(request),
        prompt=fields.prompt, options=fields, mode=jobs.mode_for(fields, base="edit"), model=source.model,
        seconds=float(source.seconds), size=source.size, strength=fields.strength,
        stored_inputs={"source_video": source.outputs["video"]}, remixed_from=source.id, source_video_id=source.id,
    )
    return video_response(request, video)


def without_file_fields(body) -> dict:
    """The fields to validate: a `video` (or `connect_to`) reference stays, a file part is not a field."""
    return {k: v for k, v in body.fields.items() if k not in ("video", "connect_to") or isinstance(v, dict)}


@router.post("/edits", response_model=VideoObject, openapi_extra=body_spec(EditBody, {"video": "The video to edit (MP4, WebM, MOV or GIF)."}))
def edit_video(request: Request, user: CurrentUser, session: SessionDep, body: BodyDep) -> JSONResponse:
    """Edit a video (uploaded, or one made here) by prompt, keeping its motion and layout."""
    uploads, stored, source, size, seconds = source_from(session, user, body)
    fields = parse(EditBody, without_file_fields(body))
    video = jobs.accept(
        session, settings=request.app.state.settings, storage=request.app.state.storage, moderator=request.app.state.moderator,
        user=user, ip=client_ip(request),
        prompt=fields.prompt, options=fields, mode=jobs.mode_for(fields, base="edit"), model=source.model if source else None,
        seconds=seconds, size=size, strength=fields.strength, uploads=uploads, stored_inputs=stored,
        source_video_id=source.id if source else None,
    )
    return video_response(request, video)


@router.post("/extensions", response_model=VideoObject, openapi_extra=body_spec(ExtendBody, {
    "video": "The video to extend (MP4, WebM, MOV or GIF).",
    "connect_to": "Kinema: the video whose start the transition joins to (MP4, WebM, MOV or GIF).",
}))
def extend_video(request: Request, user: CurrentUser, session: SessionDep, body: BodyDep) -> JSONResponse:
    """Continue a video forward (or backward) in time; `seconds` is the new segment's length. With
    `connect_to` (Kinema's extra field), make the transition from the video's end to that one's start."""
    uploads, stored, source, size, source_seconds = source_from(session, user, body)
    connect = "connect_to" in body.files or body.fields.get("connect_to") is not None
    if connect:  # the result holds both videos around the transition
        more_uploads, more_stored, _, _, target_seconds = source_from(session, user, body, "connect_to", role="target_video")
        uploads, stored = {**uploads, **more_uploads}, {**stored, **more_stored}
        source_seconds = (source_seconds or 0.0) + target_seconds
    fields = parse(ExtendBody, without_file_fields(body))
    video = jobs.accept(
        session, settings=request.app.state.settings, storage=request.app.state.storage, moderator=request.app.state.moderator,
        user=user, ip=client_ip(request),
        prompt=fields.prompt, options=fields, mode=jobs.mode_for(fields, base="connect" if connect else "extend"), model=source.model if source else None,
        seconds=fields.seconds, size=size, direction=fields.direction, uploads=uploads, stored_inputs=stored,
        source_video_id=source.id if source else None, seconds_before=source_seconds or 0.0,
    )
    return video_response(request, video)


@router.post("/characters", response_model=CharacterObject, openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["name", "video"],
    "properties": {"name": {"type": "string"}, "video": {"type": "string", "format": "binary"}},
}}}}})
def create_character(request: Request, user: CurrentUser, session: SessionDep, body: BodyDep) -> CharacterObject:
    """Save a character (a cameo) from an uploaded video, for later requests to refer to."""
    name = body.fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise APIError(400, "Missing required parameter: 'name'.", param="name", code="missing_required_parameter")
    if len(name) > 200:
        raise bad_request(f"name is {len(name)} characters; at most 200 are allowed", param="name")
    if "video" not in body.files:
        raise APIError(400, "Missing required parameter: 'video' (a video file).", param="video", code="missing_required_parameter")
    unknown = sorted(set(body.fields) - {"name"} | set(body.files) - {"video"})
    if unknown:
        raise APIError(400, f"Unknown parameter: '{unknown[0]}'.", param=unknown[0], code="unknown_parameter")
    video = body.files["video"]
    upload, _ = check_video(video.data, "video", video.content_type, video.filename)
    try:
        hooks.moderate({"name": name}, role=user.role, moderator=request.app.state.moderator)
    except hooks.Refusal as refusal:
        store.audit(session, action="character_refused", user_id=user.id, ip=client_ip(request), detail={**refusal.audit_detail(), "name": name[:200]})
        session.commit()
        raise
    key = f"characters/{user.id}/{time.time_ns()}{upload.suffix}"
    storage = request.app.state.storage
    storage.put_bytes(key, upload.data, upload.content_type)
    try:
        character = store.add_character(session, owner_id=user.id, name=name.strip(), video_key=key)
        store.audit(session, action="character_created", user_id=user.id, target=character.id, ip=client_ip(request))
        session.commit()
    except BaseException:
        session.rollback()
        storage.delete_prefix(key)
        raise
    return CharacterObject(id=character.id, name=character.name, created_at=int(character.created_at))


@router.get("/characters/{character_id}", response_model=CharacterObject)
def get_character(character_id: str, session: SessionDep, user: CurrentUser) -> CharacterObject:
    """A character you saved."""
    character = store.get_character(session, character_id=character_id, owner_id=user.id)
    if character is None:
        raise not_found("character", character_id)
    return CharacterObject(id=character.id, name=character.name, created_at=int(character.created_at))
