"""Published-weights engines behind the Videos API (issue 8): one worker serves a tiny diffusers pipeline
folder of each family, loaded as a user's downloaded weights are, and the official openai SDK drives it.

The pipelines are built once per session (the root conftest's `tiny_pipeline`); the app runs under
uvicorn on a real port with the worker in a thread, on the real loader (`load_engine` with the
service's provenance), so what the API knows of each model comes from the `models` table the worker
wrote.
"""

import io
import threading

import httpx
import openai
import pytest
from PIL import Image

from kinema.service import store
from kinema.service.app import create_app
from kinema.service.worker import Worker
from kinema.video import probe

from .conftest import FAST_SAFETY, make_settings, shared_moderator
from .servers import free_port, wait_for

pytest.importorskip("diffusers")
pytestmark = pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")

FAMILIES = ("wan-t2v", "ltx", "cogvideox-t2v", "hunyuanvideo")


@pytest.fixture(scope="module")
def served(tiny_pipeline, tmp_path_factory):
    import uvicorn

    settings = make_settings(tmp_path_factory.mktemp("diffusers-service"), port=free_port(), default_model="wan-t2v")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "safety.toml").write_text(FAST_SAFETY)
    app = create_app(settings, moderator=shared_moderator())
    worker = Worker(settings, [str(tiny_pipeline(kind)) for kind in (*FAMILIES, "cogvideox-i2v")])
    worker.load()
    with app.state.sessions() as session:
        user = store.create_user(session, email="open@example.com", password="a long password", role="artist")
        _, key = store.create_api_key(session, user_id=user.id)
        session.commit()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning"))
    threads = [threading.Thread(target=server.run, daemon=True), threading.Thread(target=worker.run, daemon=True)]
    for thread in threads:
        thread.start()
    wait_for(lambda: server.started, 20, "uvicorn to start")
    url = f"http://127.0.0.1:{settings.port}"
    yield openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0), url
    worker.stop()
    server.should_exit = True
    for thread in threads:
        thread.join(30)


def test_the_worker_registers_diffusers_models(served):
    _, url = served
    models = {m["name"]: m for m in httpx.get(f"{url}/healthz").json()["models"]}
    assert set(models) == {*FAMILIES, "cogvideox-i2v"} and {m["engine"] for m in models.values()} == {"diffusers"}


@pytest.mark.parametrize("kind", FAMILIES)
def test_each_family_generates_through_the_sdk(served, kind, tmp_path):
    client, _ = served
    video = client.videos.create_and_poll(model=kind, prompt="a red ball rolls across the table", size="32x32", seconds="1",
                                          extra_body={"steps": 2, "seed": 5}, poll_interval_ms=50)
    assert (video.status, video.model, video.size) == ("completed", kind, "32x32"), video.error
    result = video.kinema["result"]
    assert (result["engine"], result["provenance"]["video_id"], result["provenance"]["stamped_by"]) == ("diffusers", video.id, "engine")
    client.videos.download_content(video.id).write_to_file(tmp_path / "video.mp4")
    info = probe(tmp_path / "video.mp4")
    assert (info.width, info.height, info.codec, info.frames) == (32, 32, "h264", result["frames"])


def test_modes_follow_the_pipeline(served):
    client, _ = served
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 40, 40)).save(buffer, format="PNG")
    still = ("first.png", buffer.getvalue(), "image/png")
    video = client.videos.create_and_poll(model="ltx", prompt="the red square rolls away", input_reference=still, size="32x32",
                                          seconds="1", extra_body={"steps": 2}, poll_interval_ms=50)
    assert video.status == "completed" and video.kinema["mode"] == "image-to-video", video.error
    with pytest.raises(openai.BadRequestError) as error:
        client.videos.create(model="hunyuanvideo", prompt="animate this", input_reference=still, size="32x32")
    body = error.value.body
    assert body["param"] == "mode" and "'hunyuanvideo' cannot do 'image-to-video'" in body["message"] and "it supports: text-to-video, image" in body["message"]
    with pytest.raises(openai.BadRequestError, match="size 32x32 is not supported by cogvideox-i2v; it makes only 16x16"):
        client.videos.create(model="cogvideox-i2v", prompt="animate this", input_reference=still, size="32x32")
