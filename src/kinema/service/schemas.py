"""Request and response bodies of the Videos API, in OpenAI's shapes (openai/types/video*.py is the spec).

Kinema's own inputs (PRODUCT.md §1's vocabulary) are extra body fields on every request that makes
a video; unknown fields are refused, as OpenAI refuses them, so a typo never silently falls back to
a default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_VIEWS = 8
MAX_STORYBOARD_CARDS = 32


class StoryboardCard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at_second: float = Field(ge=0, description="When this card starts, in seconds; the first starts at 0.")
    prompt: str = Field(min_length=1)


class VideoReference(BaseModel):
    """A video generated here, by id (`{"id": "video_…"}`)."""

    model_config = ConfigDict(extra="forbid")

    id: str


class ImageReference(BaseModel):
    """OpenAI's reference object: `image_url` as a base64 data URL (Kinema fetches no remote URLs)."""

    model_config = ConfigDict(extra="forbid")

    image_url: str | None = None
    file_id: str | None = None


class Options(BaseModel):
    """Kinema's extra inputs, accepted by every request that makes a video (sent as extra body fields)."""

    model_config = ConfigDict(extra="forbid")

    negative_prompt: str = Field("", description="What the video should not show.")
    fps: float | None = Field(None, description="Frames per second (default: the model's).")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Same request and seed, same video. Drawn and reported when absent.")
    steps: int | None = Field(None, description="Denoising steps (default: the model's).")
    guidance_scale: float | None = Field(None, description="Classifier-free guidance scale (default: the model's).")
    storyboard: list[StoryboardCard] | None = Field(None, max_length=MAX_STORYBOARD_CARDS, description="Timed prompt cards: a multi-shot video.")
    views: int | None = Field(None, ge=2, le=MAX_VIEWS, description="Generate this many synchronised camera views of one scene.")
    camera: str | None = Field(None, description="A camera path: static, pan-left, pan-right, orbit-left, orbit-right, dolly-in, dolly-out, crane-up, crane-down.")
    loop: bool = Field(False, description="Make the last frame flow back into the first.")


class CreateVideoBody(Options):
    """POST /v1/videos (multipart/form-data or JSON)."""

    prompt: str = Field(description="Text prompt that describes the video to generate.")
    model: str | None = Field(None, description="A Kinema model name, or an alias such as sora-2 / sora-2-pro.")
    seconds: float | None = Field(None, description="Clip duration in seconds, up to the model's maximum (60).")
    size: str | None = Field(None, description="Output resolution as WxH on the model's grid.")
    input_reference: ImageReference | None = Field(
        None, description="The first frame (png, jpeg or webp): a file part in multipart requests, or {image_url: data URL}."
    )
    mode: Literal["text-to-video", "image"] | None = Field(None, description="`image` makes a single frame; other modes follow from the inputs.")


class RemixBody(Options):
    """POST /v1/videos/{video_id}/remix."""

    prompt: str = Field(description="Updated text prompt that directs the remix generation.")
    strength: float | None = Field(None, ge=0, le=1, description="0 keeps the source, 1 ignores it.")


class EditBody(Options):
    """POST /v1/videos/edits."""

    prompt: str
    video: VideoReference | None = Field(None, description="The completed video to edit: {id} here, or a file part in multipart requests.")
    strength: float | None = Field(None, ge=0, le=1, description="0 keeps the source, 1 ignores it.")


class ExtendBody(Options):
    """POST /v1/videos/extensions."""

    prompt: str
    seconds: float = Field(description="Length of the new segment in seconds.")
    video: VideoReference | None = Field(None, description="The completed video to extend: {id} here, or a file part in multipart requests.")
    direction: Literal["forward", "backward"] = "forward"
    connect_to: VideoReference | None = Field(
        None, description="Kinema: connect instead of extend — a transition of `seconds` from `video`'s end to this video's start "
        "({id} here, or a file part); the result is both videos joined by it.")


class VideoError(BaseModel):
    code: str
    message: str


class VideoObject(BaseModel):
    """OpenAI's Video, plus `kinema` (mode, the filled-in parameters, and the result's metadata)."""

    id: str
    object: Literal["video"] = "video"
    model: str
    status: Literal["queued", "in_progress", "completed", "failed"]
    progress: int
    created_at: int
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: str
    seconds: str
    remixed_from_video_id: str | None = None
    error: VideoError | None = None
    kinema: dict = Field(default_factory=dict)


class VideoList(BaseModel):
    object: Literal["list"] = "list"
    data: list[VideoObject]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class VideoDeleted(BaseModel):
    id: str
    object: Literal["video.deleted"] = "video.deleted"
    deleted: bool = True


class CharacterObject(BaseModel):
    id: str
    object: Literal["character"] = "character"
    name: str
    created_at: int


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None
    category: str | None = Field(None, description="moderation_blocked: the policy category that refused the request.")
    scores: dict[str, float] | None = Field(None, description="moderation_blocked, red-teamers only: the refused field's score per category.")


class VerifyReport(BaseModel):
    """POST /v1/provenance/verify: what `kinema verify` reports about an uploaded video."""

    file: str = Field(description="The uploaded file's name.")
    verdict: Literal["made here", "not made here", "unknown"]
    reasons: list[str]
    manifest: dict = Field(description="The C2PA manifest: state (absent, tampered, valid, trusted), signer, generator, model, video_id, request_id.")
    watermark: dict | None = Field(description="The watermark read from the frames (payload, confidence, video_id); null when the video is too small or short to carry one.")
    fingerprint: dict | None = Field(description="The nearest video in this service's fingerprint index (video_id, distance), or null.")
    installation: str = Field(description="This service's installation id, as the watermark carries it.")
    notes: list[str] = Field(default_factory=list)


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "Invalid request (the message names the bad value and what is allowed)",
        401: "Missing, unknown or revoked API key",
        404: "No such video (or not yours)",
        429: "Rate limit or quota exceeded; see Retry-After",
        503: "No worker or no prompt moderation available right now; nothing was queued, see Retry-After",
    }.items()
}
