"""The Videos API end to end in one process: the app, a real database and store, and a worker on a
fake engine that declares every mode, so each route's job plumbing is exercised for real."""

import io
import json
import time

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from kinema.service import hooks, queue
from kinema.service.errors import APIError
from kinema.service.tables import AuditEvent, Video
from kinema.video import probe, write_video


def png(colour=(200, 30, 30), size=(64, 64), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def mp4(tmp_path, frames=8) -> bytes:
    path = write_video(tmp_path / "upload.mp4", np.full((frames, 64, 64, 3), 90, np.uint8), 8)
    return path.read_bytes()


def made(service, **body):
    response = service.client.post("/v1/videos", json={"prompt": "a red ball bounces", "seconds": 1, **body})
    assert response.status_code == 200, response.text
    return response.json()


def finished(service, **body):
    video = made(service, **body)
    service.work()
    return service.client.get(f"/v1/videos/{video['id']}").json()


def test_create_poll_download(service, tmp_path):
    video = made(service, seed=5, size="64x48", fps=10, steps=3, negative_prompt="fog")
    assert (video["object"], video["status"], video["progress"], video["model"]) == ("video", "queued", 0, "fake")
    assert (video["size"], video["seconds"], video["kinema"]["seed"], video["kinema"]["steps"]) == ("64x48", "1", 5, 3)
    response = service.client.get(f"/v1/videos/{video['id']}")
    assert response.headers["openai-poll-after-ms"] == "1000"
    assert service.work() == 1
    response = service.client.get(f"/v1/videos/{video['id']}")
    done = response.json()
    assert (done["status"], done["progress"], done["error"]) == ("completed", 100, None)
    assert done["completed_at"] >= done["created_at"] and "openai-poll-after-ms" not in response.headers
    request = service.engine.requests[-1]
    assert (request.seed, request.size, request.fps, request.steps, request.negative_prompt, request.mode) == (5, "64x48", 10.0, 3, "fog", "text-to-video")

    content = service.client.get(f"/v1/videos/{video['id']}/content")
    assert content.headers["content-type"] == "video/mp4"
    (tmp_path / "got.mp4").write_bytes(content.content)
    info = probe(tmp_path / "got.mp4")
    assert (info.width, info.height, info.frames, info.codec) == (64, 48, 10, "h264")
    for variant, kind in (("thumbnail", "WEBP"), ("spritesheet", "JPEG")):
        response = service.client.get(f"/v1/videos/{video['id']}/content", params={"variant": variant})
        assert response.status_code == 200 and Image.open(io.BytesIO(response.content)).format == kind


def test_multipart_as_the_sdk_sends_it(service):
    fields = {"prompt": "a cube", "seconds": "2", "size": "64x64", "seed": "9", "loop": "false"}
    response = service.client.post("/v1/videos", data=fields, files={"input_reference": ("first.png", png(), "image/png")})
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["kinema"]["mode"] == "image-to-video" and video["seconds"] == "2"
    service.work()
    request = service.engine.requests[-1]
    assert request.mode == "image-to-video" and request.input_reference.suffix == ".png"
    assert service.client.get(f"/v1/videos/{video['id']}").json()["status"] == "completed"


def test_storyboard_from_bracketed_form_fields(service):
    data = [("prompt", "two shots"), ("seconds", "4"), ("storyboard[][at_second]", "0"), ("storyboard[][prompt]", "a red ball"),
            ("storyboard[][at_second]", "2"), ("storyboard[][prompt]", "a blue cube")]
    body = "&".join(f"{k}={v}" for k, v in data).replace(" ", "+").replace("[", "%5B").replace("]", "%5D")
    response = service.client.post("/v1/videos", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    assert response.json()["kinema"]["storyboard"] == [{"at_second": 0.0, "prompt": "a red ball"}, {"at_second": 2.0, "prompt": "a blue cube"}]
    service.work()
    assert service.engine.requests[-1].mode == "storyboard" and service.engine.requests[-1].storyboard[1].prompt == "a blue cube"


def test_image_reference_as_a_data_url(service):
    import base64

    url = "data:image/webp;base64," + base64.b64encode(png(fmt="WEBP")).decode()
    video = made(service, input_reference={"image_url": url})
    assert video["kinema"]["mode"] == "image-to-video"


@pytest.mark.parametrize("extra, mode", [({"views": 3}, "multi-view"), ({"camera": "orbit-left"}, "camera"), ({"loop": True}, "loop"), ({"mode": "image"}, "image")])
def test_extra_inputs_pick_the_mode(service, extra, mode):
    video = made(service, **extra)
    assert video["kinema"]["mode"] == mode
    service.work()
    request = service.engine.requests[-1]
    assert request.mode == mode and request.views == extra.get("views") and request.camera == extra.get("camera")


def test_list_pages_with_a_cursor(service):
    ids = [made(service)["id"] for _ in range(5)]
    page = service.client.get("/v1/videos", params={"limit": 2}).json()
    assert page["object"] == "list" and [v["id"] for v in page["data"]] == ids[::-1][:2] and page["has_more"]
    assert (page["first_id"], page["last_id"]) == (ids[4], ids[3])
    rest = service.client.get("/v1/videos", params={"limit": 10, "after": page["last_id"]}).json()
    assert [v["id"] for v in rest["data"]] == ids[::-1][2:] and not rest["has_more"]
    oldest = service.client.get("/v1/videos", params={"order": "asc", "limit": 1}).json()
    assert oldest["data"][0]["id"] == ids[0]


def test_delete_removes_files_and_cancels_queued_jobs(service):
    done = finished(service)
    queued = made(service)
    storage_root = service.app.state.storage.root
    assert list((storage_root / "videos" / done["id"]).rglob("*.mp4"))
    for video in (done, queued):
        response = service.client.delete(f"/v1/videos/{video['id']}")
        assert response.json() == {"id": video["id"], "object": "video.deleted", "deleted": True}
        assert service.client.get(f"/v1/videos/{video['id']}").status_code == 404
    assert not (storage_root / "videos" / done["id"]).exists()
    assert service.work() == 0  # the cancelled job is not run
    assert [v["id"] for v in service.client.get("/v1/videos").json()["data"]] == []


def test_users_see_only_their_own_videos(service, tmp_path):
    mine = finished(service)
    other = service.user_client("other@example.com")
    for method, path in (("GET", f"/v1/videos/{mine['id']}"), ("GET", f"/v1/videos/{mine['id']}/content"),
                         ("DELETE", f"/v1/videos/{mine['id']}"), ("POST", f"/v1/videos/{mine['id']}/remix")):
        response = other.request(method, path, json={"prompt": "mine now"} if method == "POST" else None)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "video_not_found"
    assert other.get("/v1/videos").json()["data"] == []
    response = other.post("/v1/videos/extensions", json={"prompt": "more", "seconds": 1, "video": {"id": mine["id"]}})
    assert response.status_code == 404


def test_remix_edit_and_extend_run_through_the_queue(service, tmp_path):
    source = finished(service, size="64x48", seconds=2)
    remix = service.client.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "now blue", "strength": 0.6}).json()
    assert remix["remixed_from_video_id"] == source["id"] and (remix["size"], remix["seconds"]) == ("64x48", "2")
    service.work()
    request = service.engine.requests[-1]
    assert (request.mode, request.strength, request.prompt) == ("edit", 0.6, "now blue")
    assert service.engine.source_frames[-1] == 16  # the worker fetched the source's file

    edit = service.client.post("/v1/videos/edits", json={"prompt": "at night", "video": {"id": source["id"]}}).json()
    assert edit["kinema"]["mode"] == "edit" and edit["remixed_from_video_id"] is None and edit["kinema"]["source_video_id"] == source["id"]
    uploaded = service.client.post("/v1/videos/edits", data={"prompt": "snowing"}, files={"video": ("clip.mp4", mp4(tmp_path), "video/mp4")})
    assert uploaded.status_code == 200, uploaded.text

    extension = service.client.post("/v1/videos/extensions", json={"prompt": "it rolls away", "seconds": 1, "video": {"id": source["id"]}, "direction": "backward"}).json()
    assert extension["seconds"] == "3"  # OpenAI reports the stitched total
    assert service.work() == 3
    modes = [(r.mode, r.direction) for r in service.engine.requests[-3:]]
    assert modes == [("edit", "forward"), ("edit", "forward"), ("extend", "backward")]
    for video in (remix, edit, uploaded.json(), extension):
        assert service.client.get(f"/v1/videos/{video['id']}").json()["status"] == "completed"


def test_remix_of_an_unfinished_video_is_refused(service):
    queued = made(service)
    response = service.client.post(f"/v1/videos/{queued['id']}/remix", json={"prompt": "x"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "video_not_ready"


def test_modes_the_model_lacks_are_a_4xx_naming_what_it_supports(service):
    source = finished(service)
    caps = service.engine.capabilities().to_dict() | {"modes": ["text-to-video", "image"]}
    queue.register_model(service.worker.sessions, name="fake", source="fake", engine="fake", capabilities=caps)
    cases = [
        ("post", f"/v1/videos/{source['id']}/remix", {"json": {"prompt": "blue"}}),
        ("post", "/v1/videos/edits", {"json": {"prompt": "blue", "video": {"id": source["id"]}}}),
        ("post", "/v1/videos/extensions", {"json": {"prompt": "on", "seconds": 1, "video": {"id": source["id"]}}}),
        ("post", "/v1/videos", {"data": {"prompt": "x"}, "files": {"input_reference": ("a.png", png(), "image/png")}}),
        ("post", "/v1/videos", {"json": {"prompt": "x", "views": 2}}),
    ]
    for method, path, kwargs in cases:
        response = getattr(service.client, method)(path, **kwargs)
        assert response.status_code == 400, path
        error = response.json()["error"]
        assert error["param"] == "mode" and "it supports: text-to-video, image" in error["message"], error


def test_several_modes_at_once_are_refused(service):
    response = service.client.post("/v1/videos", json={"prompt": "x", "views": 2, "camera": "pan-left"})
    assert response.status_code == 400 and "several modes at once (multi-view, camera)" in response.json()["error"]["message"]


def test_characters(service, tmp_path):
    response = service.client.post("/v1/videos/characters", data={"name": "Mika"}, files={"video": ("mika.mp4", mp4(tmp_path), "video/mp4")})
    assert response.status_code == 200, response.text
    character = response.json()
    assert character["name"] == "Mika" and character["id"].startswith("char_")
    assert service.client.get(f"/v1/videos/characters/{character['id']}").json() == character
    assert service.user_client("x@example.com").get(f"/v1/videos/characters/{character['id']}").status_code == 404
    bad = service.client.post("/v1/videos/characters", data={"name": "Nope"}, files={"video": ("x.mp4", b"not a video", "video/mp4")})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_video"


def test_model_aliases_and_unknown_models(service):
    assert made(service, model="sora-2")["kinema"]["engine_model"] == "fake"
    assert made(service, model="sora-2-pro")["model"] == "sora-2-pro"
    response = service.client.post("/v1/videos", json={"prompt": "x", "model": "sora-3"})
    error = response.json()["error"]
    assert response.status_code == 400 and error["param"] == "model" and "available: fake, sora-2, sora-2-pro" in error["message"]


def test_openapi_spec_lists_the_routes_and_kinema_fields(service):
    spec = service.client.get("/openapi.json").json()
    for path in ("/v1/videos", "/v1/videos/{video_id}", "/v1/videos/{video_id}/content", "/v1/videos/{video_id}/remix",
                 "/v1/videos/edits", "/v1/videos/extensions", "/v1/videos/characters", "/v1/videos/characters/{character_id}"):
        assert path in spec["paths"], path
    create = spec["components"]["schemas"]["CreateVideoBody"]["properties"]
    for field in ("prompt", "model", "seconds", "size", "input_reference", "fps", "seed", "negative_prompt", "steps",
                  "guidance_scale", "storyboard", "views", "camera", "loop"):
        assert field in create, field
    body = spec["paths"]["/v1/videos"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert spec["paths"]["/v1/videos"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("VideoList")


def count(service, model=Video, **where):
    with service.app.state.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def test_the_prompt_policy_refuses_before_anything_is_queued(service):
    """The real policy, in the moderation sidecar: refused with OpenAI's shape, audited, nothing queued."""
    response = service.client.post("/v1/videos", json={"prompt": "a pornographic video in a hotel room"})
    error = response.json()["error"]
    assert response.status_code == 400 and (error["code"], error["param"], error["category"]) == ("moderation_blocked", "prompt", "sexual")
    assert "scores" not in error  # only red-teamers see them
    assert count(service) == 0 and count(service, AuditEvent, action="job_refused") == 1
    with service.app.state.sessions() as session:
        detail = session.scalar(select(AuditEvent).where(AuditEvent.action == "job_refused")).detail
    assert (detail["category"], detail["field"]) == ("sexual", "prompt") and detail["scores"]["sexual"] >= 0.5
    assert made(service)["status"] == "queued"
    text = service.client.get("/metrics").text
    assert "kinema_requests_refused_total 1.0" in text and 'kinema_queue_depth{status="queued"} 1.0' in text


@pytest.mark.parametrize("body, param", [
    ({"negative_prompt": "Mickey Mouse"}, "negative_prompt"),
    ({"storyboard": [{"at_second": 0, "prompt": "a red ball"}, {"at_second": 1, "prompt": "a decapitated man"}]}, "storyboard[1].prompt"),
])
def test_every_text_of_a_request_is_read(service, body, param):
    response = service.client.post("/v1/videos", json={"prompt": "a quiet street at night", "seconds": 2, **body})
    assert response.status_code == 400 and response.json()["error"]["param"] == param, response.text
    assert count(service) == 0


def test_red_teamers_see_the_scores(service):
    red = service.user_client("red@example.com", role="red-teamer")
    error = red.post("/v1/videos", json={"prompt": "a pornographic video in a hotel room"}).json()["error"]
    assert error["code"] == "moderation_blocked" and error["scores"]["sexual"] >= 0.5 and set(error["scores"]) >= {"violence", "ip"}


def test_output_hook_blocks_a_finished_video(service, monkeypatch):
    def block(*, video_path, request, video_id, metadata, **_):
        assert probe(video_path).frames == 8
        raise APIError(400, "the output shows something the policy forbids", code="output_blocked")

    monkeypatch.setattr(hooks, "before_download", block)
    video = finished(service)
    assert video["status"] == "failed" and video["error"] == {"code": "output_blocked", "message": "the output shows something the policy forbids"}
    assert not (service.app.state.storage.root / "videos" / video["id"]).exists()
    assert service.client.get(f"/v1/videos/{video['id']}/content").status_code == 400


def test_finished_videos_carry_the_service_s_provenance(service):
    """The worker built its engine with the service's provenance and passed the job's ids to it."""
    video = finished(service)
    provenance = video["kinema"]["result"]["provenance"]
    assert service.engine.ids[-1] == (video["id"], video["kinema"]["request_id"]) and video["kinema"]["request_id"].startswith("req_")
    assert (provenance["video_id"], provenance["request_id"], provenance["stamped_by"]) == (video["id"], video["kinema"]["request_id"], "engine")
    assert provenance["c2pa"] == "trusted"  # signed with the chain in the service's data folder


def test_metrics_and_health(service):
    finished(service)
    text = service.client.get("/metrics").text
    assert 'kinema_queue_depth{status="completed"} 1.0' in text and "kinema_job_duration_seconds_count 1.0" in text
    health = service.client.get("/healthz").json()
    assert health["status"] == "ok" and health["models"][0]["name"] == "fake" and health["queue"] == {"completed": 1}
