"""Bad input gets the right 4xx in OpenAI's error shape, and nothing is written: no video row, no
job, no file."""

import io

import pytest
from sqlalchemy import func, select

from kinema.service import store
from kinema.service.tables import AuditEvent, Video

from .conftest import Service, make_settings


def snapshot(service):
    with service.app.state.sessions() as session:
        rows = session.scalar(select(func.count()).select_from(Video))
        created = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "job_created"))
    files = sorted(p for p in service.app.state.storage.root.rglob("*") if p.is_file())
    return rows, created, files


def check_error(response, status, param=None, code=None, words=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    error = body["error"]
    assert error["message"] and isinstance(error["type"], str)
    if param is not None:
        assert error["param"] == param, error
    if code is not None:
        assert error["code"] == code, error
    if words is not None:
        assert words in error["message"], error
    return error


JSON_CASES = [
    ({"prompt": "x" * 4001}, "prompt", "prompt is 4001 characters; at most 4000"),
    ({"prompt": "   "}, "prompt", "prompt is empty"),
    ({"prompt": "x", "size": "big"}, "size", "size 'big' is not WxH"),
    ({"prompt": "x", "size": "100x64"}, "size", "width 100 is not a multiple of 16"),
    ({"prompt": "x", "size": "1280x720"}, "size", "width 1280 is outside 32–256"),
    ({"prompt": "x", "seconds": 0}, "seconds", "seconds 0.0 is outside (0, 60]"),
    ({"prompt": "x", "seconds": "61"}, "seconds", "seconds 61.0 is outside (0, 60]"),
    ({"prompt": "x", "seconds": "four"}, "seconds", "Invalid value for 'seconds'"),
    ({"prompt": "x", "steps": 0}, "steps", "steps 0 is outside 1–200"),
    ({"prompt": "x", "fps": 100}, "fps", "fps 100.0 is outside 1–30"),
    ({"prompt": "x", "seed": -1}, "seed", "Invalid value for 'seed'"),
    ({"prompt": "x", "views": 50}, "views", "Invalid value for 'views'"),
    ({"prompt": "x", "colour": "red"}, "colour", "Unknown parameter: 'colour'."),
    ({"seconds": 4}, "prompt", "Missing required parameter: 'prompt'."),
    ({"prompt": "x", "input_reference": {"image_url": "https://example.com/a.png"}}, "input_reference.image_url", "data URL"),
    ({"prompt": "x", "input_reference": {"image_url": "data:image/png;base64,@@@"}}, "input_reference.image_url", "not valid base64"),
    ({"prompt": "x", "input_reference": {"file_id": "file_1"}}, "input_reference.file_id", "no Files API"),
]


@pytest.mark.parametrize("body, param, words", JSON_CASES)
def test_bad_create_requests(shared_service, body, param, words):
    service = shared_service
    before = snapshot(service)
    check_error(service.client.post("/v1/videos", json=body), 400, param=param, words=words)
    assert snapshot(service) == before


@pytest.mark.parametrize(
    "content, name, words",
    [
        (b"this is text, not a picture", "notes.png", "not an image Kinema can read"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "truncated.png", "not an image Kinema can read"),
        (None, "anim.gif", "is a GIF image; send a PNG, JPEG or WebP"),
    ],
)
def test_non_image_input_reference(shared_service, content, name, words):
    service = shared_service
    if content is None:
        buffer = io.BytesIO()
        from PIL import Image

        Image.new("RGB", (8, 8)).save(buffer, format="GIF")
        content = buffer.getvalue()
    before = snapshot(service)
    response = service.client.post("/v1/videos", data={"prompt": "x"}, files={"input_reference": (name, content, "image/png")})
    check_error(response, 400, param="input_reference", code="invalid_image", words=words)
    assert snapshot(service) == before


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
        ({"content": b"[1, 2]", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
        ({"content": b"", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
        ({"content": b"prompt", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}}, 400, None),
        ({"data": {"prompt": "x", "storyboard": "[{not json"}}, 400, None),
        ({"data": {"prompt": "x"}, "files": {"surprise": ("a.bin", b"1", "application/octet-stream")}}, 400, "unknown_parameter"),
    ],
)
def test_malformed_bodies(shared_service, kwargs, status, code):
    service = shared_service
    before = snapshot(service)
    check_error(service.client.post("/v1/videos", **kwargs), status, code=code)
    assert snapshot(service) == before


def test_unknown_ids_are_404(shared_service):
    service = shared_service
    for method, path in (("GET", "/v1/videos/video_nope"), ("GET", "/v1/videos/video_nope/content"), ("DELETE", "/v1/videos/video_nope"),
                         ("POST", "/v1/videos/video_nope/remix"), ("GET", "/v1/videos/characters/char_nope")):
        response = service.client.request(method, path, json={"prompt": "x"} if method == "POST" else None)
        check_error(response, 404)
    check_error(service.client.get("/v1/videos", params={"after": "video_nope"}), 404, param="after")
    check_error(service.client.get("/v1/nowhere"), 404)


@pytest.mark.parametrize("params, param", [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"order": "sideways"}, "order")])
def test_bad_list_parameters(shared_service, params, param):
    service = shared_service
    check_error(service.client.get("/v1/videos", params=params), 400, param=param)


def test_bad_variant_and_unready_content(service):
    video = service.client.post("/v1/videos", json={"prompt": "x"}).json()
    check_error(service.client.get(f"/v1/videos/{video['id']}/content"), 400, code="video_not_ready")
    service.work()
    check_error(service.client.get(f"/v1/videos/{video['id']}/content", params={"variant": "poster"}), 400, param="variant")


def test_missing_malformed_and_revoked_keys(shared_service):
    service = shared_service
    client = service.client
    before = snapshot(service)
    saved = client.headers.pop("Authorization")
    check_error(client.post("/v1/videos", json={"prompt": "x"}), 401, code="missing_api_key")
    check_error(client.get("/v1/videos", headers={"Authorization": "Basic abc"}), 401, code="invalid_api_key")
    check_error(client.get("/v1/videos", headers={"Authorization": "Bearer sk-kinema-made-up-key-0000"}), 401, code="invalid_api_key")
    with service.app.state.sessions() as session:
        key, secret = store.create_api_key(session, user_id=service.admin.id)
        store.revoke_api_key(session, user_id=service.admin.id, key_id=key.id)
        session.commit()
    check_error(client.post("/v1/videos", json={"prompt": "x"}, headers={"Authorization": f"Bearer {secret}"}), 401, code="invalid_api_key")
    client.headers["Authorization"] = saved
    assert snapshot(service) == before


def test_oversized_uploads_are_413(tmp_path):
    service = Service(make_settings(tmp_path, max_upload_bytes=1000))
    try:
        before = snapshot(service)
        response = service.client.post("/v1/videos", data={"prompt": "x"}, files={"input_reference": ("big.png", b"\0" * 5000, "image/png")})
        check_error(response, 413)
        assert snapshot(service) == before
    finally:
        service.close()
