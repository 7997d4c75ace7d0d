"""The official `openai` SDK against Kinema, unchanged but for base_url.

First against a real `kinema serve` on the tiny checkpoint (text-to-video and image only); then
against the app on a fake engine that declares every mode, so remix and extend complete end to end.
"""

import io
import threading

import httpx
import openai
import pytest
from PIL import Image
from sqlalchemy import select

from kinema.service.tables import AuditEvent

from kinema.video import probe

from .conftest import Service, make_settings
from .servers import free_port, wait_for

# The SDK marks every videos.* method deprecated (OpenAI retires its own API); Kinema is why they keep working.
pytestmark = pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def client(tiny_service):
    return openai.OpenAI(base_url=f"{tiny_service.url}/v1", api_key=tiny_service.account("sdk@example.com", role="artist"), max_retries=0)


def test_create_and_poll_then_download(client, tmp_path):
    video = client.videos.create_and_poll(prompt="a red ball bounces on the grass", seconds="2", size="64x64", extra_body={"seed": 7, "steps": 3})
    assert (video.status, video.progress, video.seconds, video.size, video.error) == ("completed", 100, "2", "64x64", None)
    assert video.model == "tiny-test" and video.completed_at >= video.created_at
    client.videos.download_content(video.id).write_to_file(tmp_path / "video.mp4")
    info = probe(tmp_path / "video.mp4")
    assert (info.width, info.height, info.frames, info.fps, info.codec) == (64, 64, 16, 8.0, "h264")
    thumbnail = client.videos.download_content(video.id, variant="thumbnail").content
    assert Image.open(io.BytesIO(thumbnail)).format == "WEBP"
    assert Image.open(io.BytesIO(client.videos.download_content(video.id, variant="spritesheet").content)).format == "JPEG"


def test_retrieve_list_delete(client):
    ids = [client.videos.create(prompt=f"clip {i}", seconds="1", extra_body={"steps": 2, "seed": i}).id for i in range(3)]
    assert client.videos.retrieve(ids[0]).id == ids[0]
    raw = client.videos.with_raw_response.retrieve(ids[-1])
    if raw.parse().status in ("queued", "in_progress"):
        assert int(raw.headers["openai-poll-after-ms"]) > 0
    listed = [v.id for v in client.videos.list(limit=1)]  # auto-pagination follows `after`
    assert listed[:3] == ids[::-1]
    assert [v.id for v in client.videos.list(order="asc", limit=100)][-3:] == ids
    for video_id in ids:
        client.videos.poll(video_id, poll_interval_ms=100)
    deleted = client.videos.delete(ids[0])
    assert (deleted.id, deleted.deleted, deleted.object) == (ids[0], True, "video.deleted")
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(ids[0])


def test_modes_the_tiny_model_lacks_are_400_naming_what_it_supports(client):
    video = client.videos.create_and_poll(prompt="a blue cube", seconds="1", extra_body={"steps": 2})
    mp4 = client.videos.download_content(video.id).content
    attempts = [
        lambda: client.videos.remix(video.id, prompt="now red"),
        lambda: client.videos.extend(prompt="it rolls on", seconds="4", video=("clip.mp4", mp4, "video/mp4")),
        lambda: client.videos.edit(prompt="at night", video=("clip.mp4", mp4, "video/mp4")),
        lambda: client.videos.create(prompt="animate this", input_reference=("first.png", png(), "image/png")),
    ]
    for attempt in attempts:
        with pytest.raises(openai.BadRequestError) as error:
            attempt()
        assert error.value.status_code == 400
        assert error.value.body["param"] == "mode" and "it supports: text-to-video, image" in error.value.body["message"]


def test_characters(client):
    video = client.videos.create_and_poll(prompt="a yellow cone", seconds="1", extra_body={"steps": 2})
    mp4 = client.videos.download_content(video.id).content
    character = client.videos.create_character(name="Cone", video=("cone.mp4", mp4, "video/mp4"))
    assert character.name == "Cone" and client.videos.get_character(character.id).id == character.id


def test_the_prompt_policy_and_provenance_end_to_end(client, tiny_service, tmp_path):
    """`kinema serve`: its moderation sidecar refuses a prompt (audited); its worker stamps the video the
    API then recognises by id — three processes sharing one installation."""
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(prompt="a man is decapitated with a sword, blood everywhere", seconds="1")
    error = refused.value.body
    assert (error["code"], error["param"], error["category"]) == ("moderation_blocked", "prompt", "violence") and "scores" not in error
    with tiny_service.sessions() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "job_refused").order_by(AuditEvent.id.desc())).detail["category"] == "violence"
    video = client.videos.create_and_poll(prompt="a green cube slides across the sand", seconds="2", extra_body={"steps": 2, "seed": 3})
    assert video.status == "completed"
    mp4 = client.videos.download_content(video.id).content
    response = httpx.post(f"{tiny_service.url}/v1/provenance/verify", files={"file": ("mine.mp4", mp4, "video/mp4")},
                          headers={"Authorization": f"Bearer {client.api_key}"}, timeout=60)
    report = response.json()
    assert response.status_code == 200 and report["verdict"] == "made here", report
    assert report["manifest"]["state"] == "trusted" and report["manifest"]["video_id"] == video.id
    assert report["fingerprint"]["video_id"] == video.id


def test_sdk_errors(client, tiny_service):
    with pytest.raises(openai.BadRequestError, match="width 1280 is outside"):
        client.videos.create(prompt="too big", size="1280x720")
    with pytest.raises(openai.BadRequestError, match="seconds 90.0 is outside"):
        client.videos.create(prompt="too long", seconds="90")
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("video_missing")
    stranger = openai.OpenAI(base_url=f"{tiny_service.url}/v1", api_key="sk-kinema-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.videos.list()


@pytest.fixture
def fake_server(tmp_path):
    """The app on a fake engine, served by uvicorn on a real port, its worker in a thread."""
    import uvicorn

    service = Service(make_settings(tmp_path, port=free_port()))
    server = uvicorn.Server(uvicorn.Config(service.app, host="127.0.0.1", port=service.settings.port, log_level="warning"))
    threads = [threading.Thread(target=server.run, daemon=True), threading.Thread(target=service.worker.run, daemon=True)]
    for thread in threads:
        thread.start()
    wait_for(lambda: server.started, 20, "uvicorn to start")
    yield service, openai.OpenAI(base_url=f"http://127.0.0.1:{service.settings.port}/v1", api_key=service.key, max_retries=0)
    service.worker.stop()
    server.should_exit = True
    for thread in threads:
        thread.join(10)
    service.close()


def test_remix_and_extend_complete_on_an_engine_that_has_them(fake_server):
    service, client = fake_server
    source = client.videos.create_and_poll(prompt="a red ball", seconds="2", poll_interval_ms=50)
    remix = client.videos.remix(source.id, prompt="a blue ball", extra_body={"strength": 0.5})
    assert remix.remixed_from_video_id == source.id
    remix = client.videos.poll(remix.id, poll_interval_ms=50)
    assert remix.status == "completed" and service.engine.requests[-1].mode == "edit"
    mp4 = client.videos.download_content(source.id).content
    extension = client.videos.extend(prompt="it rolls away", seconds="4", video=("source.mp4", mp4, "video/mp4"))
    extension = client.videos.poll(extension.id, poll_interval_ms=50)
    assert (extension.status, extension.seconds) == ("completed", "6")
    assert service.engine.requests[-1].mode == "extend" and service.engine.source_frames[-1] == 16
    edit = client.videos.poll(client.videos.edit(prompt="snow", video=("s.mp4", mp4, "video/mp4")).id, poll_interval_ms=50)
    assert edit.status == "completed"
    storyboard = client.videos.create_and_poll(
        prompt="two shots", seconds="2", poll_interval_ms=50,
        extra_body={"storyboard": [{"at_second": 0, "prompt": "a red ball"}, {"at_second": 1, "prompt": "a blue cube"}]},
    )
    assert storyboard.status == "completed" and [c.prompt for c in service.engine.requests[-1].storyboard] == ["a red ball", "a blue cube"]


def test_connect_views_camera_and_loop_ride_as_extra_fields(fake_server):
    service, client = fake_server
    a = client.videos.create_and_poll(prompt="a red ball", seconds="2", poll_interval_ms=50)
    b = client.videos.create_and_poll(prompt="a blue cube", seconds="2", poll_interval_ms=50)
    mp4 = client.videos.download_content(a.id).content  # the SDK sends `video` as a file (it cannot send {"id"}, see the README)
    join = client.videos.extend(prompt="the ball becomes the cube", seconds="1", video=("a.mp4", mp4, "video/mp4"),
                                extra_body={"connect_to": {"id": b.id}})
    join = client.videos.poll(join.id, poll_interval_ms=50)
    request = service.engine.requests[-1]
    assert join.status == "completed" and join.seconds == "5"  # 2 + 1 + 2
    assert request.mode == "connect" and request.source_video and request.target_video
    for extra, mode, field, value in (
        ({"views": 3}, "multi-view", "views", 3),
        ({"camera": "orbit-left"}, "camera", "camera", "orbit-left"),
        ({"loop": True}, "loop", "mode", "loop"),
    ):
        video = client.videos.create_and_poll(prompt="a green cone", seconds="1", poll_interval_ms=50, extra_body=extra)
        request = service.engine.requests[-1]
        assert video.status == "completed" and request.mode == mode and getattr(request, field) == value
