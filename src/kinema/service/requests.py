"""Reading a Videos API request body: JSON, multipart/form-data (what the openai SDK sends), or a form.

The SDK flattens nested values into bracketed form keys (`video[id]`, `storyboard[][prompt]`), so
they are rebuilt into the JSON shape before validation; a field may also carry JSON text (a
storyboard typed into a form). Uploads stay separate and are checked by their content, never by
their name: an `input_reference` must decode as a PNG, JPEG or WebP image, a video as a video.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from kinema.service.errors import APIError, bad_request

IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
VIDEO_SUFFIXES = {"video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov", "image/gif": ".gif"}
KEY_PART = re.compile(r"\[([^\]]*)\]")
JSON_FIELDS = ("storyboard", "video", "input_reference", "connect_to")


@dataclass(frozen=True)
class File:
    data: bytes
    content_type: str | None
    filename: str | None


@dataclass(frozen=True)
class Body:
    """A request body read whole: its fields (nested as JSON would be) and its file parts."""

    fields: dict
    files: dict[str, File]


async def read_request_body(request: Request) -> Body:
    """The dependency that reads a body on the event loop, so the route itself can be a plain `def`
    that FastAPI runs in its thread pool: database calls then never block the loop."""
    max_bytes = request.app.state.settings.max_upload_bytes
    fields, uploads = await read_body(request, max_bytes)
    files = {name: File(await read_upload(upload, name, max_bytes), upload.content_type, upload.filename) for name, upload in uploads.items()}
    return Body(fields, files)


BodyDep = Annotated[Body, Depends(read_request_body)]


@dataclass(frozen=True)
class Upload:
    field: str
    data: bytes
    suffix: str
    content_type: str


async def read_body(request: Request, max_bytes: int) -> tuple[dict, dict[str, UploadFile]]:
    """The body as (fields, file parts); a malformed or oversized body is a 4xx in OpenAI's shape."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise APIError(413, f"the request body is {int(length)} bytes; at most {max_bytes} are accepted", code="request_too_large")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or not content_type:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise bad_request(f"the JSON body could not be parsed: {error}", code="invalid_json") from None
        if not isinstance(body, dict):
            raise bad_request("the body must be a JSON object (or multipart/form-data)", code="invalid_json")
        return body, {}
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_part_size=max_bytes)
        except Exception as error:  # python-multipart's errors have no common base worth naming
            raise bad_request(f"the form body could not be parsed: {error}", code="invalid_form") from None
        fields, files = {}, {}
        pairs = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = value
            else:
                pairs.append((key, value))
        fields = unflatten(pairs)
        for name in JSON_FIELDS:
            text = fields.get(name)
            if isinstance(text, str) and text.strip()[:1] in ("[", "{"):
                try:
                    fields[name] = json.loads(text)
                except json.JSONDecodeError as error:
                    raise bad_request(f"{name} is not valid JSON: {error}", param=name) from None
        return fields, files
    raise APIError(415, f"content type {content_type!r} is not supported; send application/json or multipart/form-data", code="unsupported_media_type")


def unflatten(pairs: list[tuple[str, str]]) -> dict:
    """[("video[id]", "v"), ("storyboard[][at_second]", "0"), ("storyboard[][prompt]", "a"), …] → nested dicts and lists.

    In a list of objects (`name[][key]`) the i-th value of each key belongs to the i-th object. The
    SDK groups repeated keys before encoding (all at_second values, then all prompts), so the
    position among a key's values is what pairs them, not the order of the parts.
    """
    out: dict = {}
    columns: dict[str, dict[str, list[str]]] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = KEY_PART.findall(key[len(head):])
        if not parts:
            out[head] = value
        elif parts == [""]:  # name[]=a&name[]=b
            out.setdefault(head, []).append(value)
        elif parts[0] == "" and len(parts) == 2:
            columns.setdefault(head, {}).setdefault(parts[1], []).append(value)
        elif len(parts) == 1:
            target = out.setdefault(head, {})
            if not isinstance(target, dict):
                raise bad_request(f"{head} is given both as a value and as an object", param=head)
            target[parts[0]] = value
        else:
            raise bad_request(f"form field {key!r} nests deeper than Kinema's requests do", param=head)
    for head, keys in columns.items():
        if head in out:
            raise bad_request(f"{head} is given both as a value and as a list", param=head)
        count = max(len(values) for values in keys.values())
        out[head] = [{k: values[i] for k, values in keys.items() if i < len(values)} for i in range(count)]
    return out


def parse(model: type[BaseModel], fields: dict) -> BaseModel:
    """Validate `fields` into `model`; the first problem becomes a 400 naming the parameter."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        if first["type"] == "extra_forbidden":
            raise APIError(400, f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter") from None
        if first["type"] == "missing":
            raise APIError(400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter") from None
        raise bad_request(f"Invalid value for '{param}': {first['msg']}.", param=param) from None


async def read_upload(file: UploadFile, field: str, max_bytes: int) -> bytes:
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise APIError(413, f"{field} is larger than {max_bytes} bytes", param=field, code="file_too_large")
    if not data:
        raise bad_request(f"{field} is an empty file", param=field)
    return data


def check_image(data: bytes, field: str) -> Upload:
    """An uploaded reference image: decodes fully as PNG, JPEG or WebP, or it is refused."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.load()  # decode every pixel: verify() alone misses truncated data
    except Exception:  # Pillow raises many types for "not an image"
        raise bad_request(f"{field} is not an image Kinema can read; send a PNG, JPEG or WebP file", param=field, code="invalid_image") from None
    if kind not in IMAGE_FORMATS:
        raise bad_request(f"{field} is a {kind} image; send a PNG, JPEG or WebP file", param=field, code="invalid_image")
    return Upload(field, data, IMAGE_FORMATS[kind], f"image/{kind.lower()}")


def image_from_reference(image_url: str | None, file_id: str | None, field: str) -> bytes:
    if file_id:
        raise bad_request(f"{field}.file_id is not supported here (there is no Files API); upload the image or send image_url as a data URL", param=f"{field}.file_id")
    if not image_url or not image_url.startswith("data:"):
        raise bad_request(f"{field}.image_url must be a base64 data URL (data:image/png;base64,…); Kinema does not fetch remote URLs", param=f"{field}.image_url")
    header, _, payload = image_url.partition(",")
    if ";base64" not in header:
        raise bad_request(f"{field}.image_url must be base64-encoded", param=f"{field}.image_url")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{field}.image_url is not valid base64", param=f"{field}.image_url") from None


def check_video(data: bytes, field: str, content_type: str | None, filename: str | None) -> tuple[Upload, dict]:
    """An uploaded video: PyAV must open it and find frames. Returns it and what probing found."""
    from kinema.video import VideoError, probe

    suffix = Path(filename or "").suffix.lower()
    if suffix not in VIDEO_SUFFIXES.values():
        suffix = VIDEO_SUFFIXES.get((content_type or "").lower(), ".mp4")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            info = probe(path)
        except VideoError:
            raise bad_request(f"{field} is not a video Kinema can read; send an MP4, WebM, MOV or GIF file", param=field, code="invalid_video") from None
    if info.frames < 1:
        raise bad_request(f"{field} has no frames", param=field, code="invalid_video")
    return Upload(field, data, suffix, "video/mp4" if suffix == ".mp4" else (content_type or "application/octet-stream")), {
        "width": info.width, "height": info.height, "fps": float(info.fps), "frames": info.frames,
    }
