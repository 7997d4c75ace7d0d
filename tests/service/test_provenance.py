"""POST /v1/provenance/verify on videos the service made (worker-stamped) and on videos it did not."""

import numpy as np
import pytest

from kinema.video import write_video

from .test_api import finished


def verify(client, data: bytes, name: str = "clip.mp4", **kwargs):
    return client.post("/v1/provenance/verify", files={"file": (name, data, "video/mp4")}, **kwargs)


def test_a_video_made_here_is_recognised_with_its_id(service):
    video = finished(service, seconds=2)
    data = service.client.get(f"/v1/videos/{video['id']}/content").content
    response = verify(service.client, data, "downloaded.mp4")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["verdict"], report["file"]) == ("made here", "downloaded.mp4")
    assert (report["manifest"]["state"], report["manifest"]["video_id"]) == ("trusted", video["id"])
    assert report["manifest"]["request_id"] == video["kinema"]["request_id"]
    assert report["fingerprint"]["video_id"] == video["id"] and report["installation"] == f"{service.worker.provenance.installation:08x}"


def test_a_foreign_video_is_not_made_here(service, tmp_path):
    frames = np.random.default_rng(3).integers(0, 255, (16, 64, 64, 3), dtype=np.uint8)
    report = verify(service.client, write_video(tmp_path / "foreign.mp4", frames, 8).read_bytes()).json()
    assert report["verdict"] == "not made here" and report["manifest"]["state"] == "absent" and report["fingerprint"] is None


@pytest.mark.parametrize("kwargs, status, code, param", [
    ({"files": {"file": ("x.mp4", b"not a video", "video/mp4")}}, 400, "invalid_video", "file"),
    ({"files": {"video": ("x.mp4", b"\x00", "video/mp4")}}, 400, "unknown_parameter", "video"),
    ({"data": {"file": "x"}}, 400, "unknown_parameter", "file"),
    ({"json": {}}, 400, "missing_required_parameter", "file"),
    ({"content": b"x", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type", None),
])
def test_bad_uploads_are_openai_shaped_4xx(shared_service, kwargs, status, code, param):
    response = shared_service.client.post("/v1/provenance/verify", **kwargs)
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["param"]) == (status, code, param), error


def test_verify_needs_a_key(shared_service):
    response = shared_service.client.post("/v1/provenance/verify", files={"file": ("x.mp4", b"x", "video/mp4")}, headers={"Authorization": ""})
    assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"


def test_verify_is_in_the_openapi_spec(shared_service):
    spec = shared_service.client.get("/openapi.json").json()
    route = spec["paths"]["/v1/provenance/verify"]["post"]
    assert "file" in route["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert route["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("VerifyReport")
    assert set(spec["components"]["schemas"]["VerifyReport"]["properties"]) >= {"verdict", "manifest", "watermark", "fingerprint"}
