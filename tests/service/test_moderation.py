"""The moderation sidecar: loaded once, restarted when it dies, killed when it hangs, and failing closed.

The process mechanics run on a sidecar whose safety.toml turns the policy off (it starts in a fraction
of a second, no MiniLM); the real policy through the API is in test_api.py and below.
"""

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from kinema.service.moderation import ModerationUnavailable, Moderator
from kinema.service.tables import AuditEvent, Character, Video

from .conftest import Service, make_settings
from .test_api import mp4


@pytest.fixture
def quick(tmp_path):
    """A sidecar reading the safety configuration given by path (policy off), with a 1 s timeout."""
    config = tmp_path / "safety.toml"
    config.write_text("[policy]\nenabled = false\n")
    moderator = Moderator(home=tmp_path / "home", config=config, timeout=1.0)
    assert moderator.wait_ready(60)
    yield moderator
    moderator.close()


def test_a_sidecar_that_dies_is_started_again(quick):
    first = quick.pid
    assert quick.check({"prompt": "Mickey Mouse"}) == {}  # the configured policy (off) answered
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while quick.pid == first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert quick.pid != first and quick.wait_ready(60) and quick.state() == "ready"
    assert quick.check({"prompt": "a red ball"}) == {}


def test_a_hung_sidecar_fails_closed_and_is_replaced(quick):
    hung = quick.pid
    os.kill(hung, signal.SIGSTOP)  # alive, but answering nothing
    start = time.monotonic()
    with pytest.raises(ModerationUnavailable, match="did not answer in 1 s"):
        quick.check({"prompt": "a red ball"})
    assert time.monotonic() - start < 5
    assert quick.wait_ready(60) and quick.pid != hung
    assert quick.check({"prompt": "a red ball"}) == {}


def test_a_sidecar_that_cannot_start_says_why(tmp_path):
    config = tmp_path / "safety.toml"
    config.write_text("[policy]\nthreshold = 0.5\n")  # not a key: `thresholds`
    moderator = Moderator(home=tmp_path, config=config, timeout=30)
    try:
        with pytest.raises(ModerationUnavailable, match="cannot start: ConfigError.*unknown keys.*threshold"):
            moderator.check({"prompt": "a red ball"})
        assert moderator.state() == "failed"
    finally:
        moderator.close()


def count(service, model, **where) -> int:
    with service.app.state.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def test_the_api_answers_503_and_queues_nothing_while_moderation_is_down(quick, tmp_path):
    service = Service(make_settings(tmp_path), moderator=quick)
    try:
        os.kill(quick.pid, signal.SIGSTOP)
        response = service.client.post("/v1/videos", json={"prompt": "a red ball bounces", "seconds": 1})
        error = response.json()["error"]
        assert response.status_code == 503 and error["code"] == "moderation_unavailable" and response.headers["retry-after"]
        assert "nothing was queued" in error["message"] and count(service, Video) == 0
        assert count(service, AuditEvent, action="job_refused") == 0  # an outage is not a policy refusal
        assert quick.wait_ready(60)
        assert service.client.post("/v1/videos", json={"prompt": "a red ball bounces", "seconds": 1}).status_code == 200
    finally:
        service.close()


def test_character_names_are_read_too(service, tmp_path):
    files = {"video": ("c.mp4", mp4(tmp_path), "video/mp4")}
    response = service.client.post("/v1/videos/characters", data={"name": "Mickey Mouse"}, files=files)
    error = response.json()["error"]
    assert response.status_code == 400 and (error["code"], error["param"], error["category"]) == ("moderation_blocked", "name", "ip")
    assert count(service, Character) == 0 and not (service.app.state.storage.root / "characters").exists()
    assert count(service, AuditEvent, action="character_refused") == 1
    assert "kinema_requests_refused_total 1.0" in service.client.get("/metrics").text
    assert service.client.post("/v1/videos/characters", data={"name": "Captain Zog"}, files=files).status_code == 200


def test_health_reports_moderation(service):
    assert service.client.get("/healthz").json()["moderation"] == "ready"
