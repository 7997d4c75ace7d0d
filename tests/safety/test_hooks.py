"""The functions the service calls: before queueing, on a finished video, and to verify an upload."""

import pytest

from kinema.engines.base import StoryboardCard, VideoRequest
from kinema.safety import hooks
from kinema.safety.config import load_config
from kinema.safety.provenance import Provenance
from kinema.video import VideoWriter, write_video

from .media import scene


@pytest.fixture()
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path / "home"))
    return load_config()


def test_moderate_passes_a_safe_request_and_returns_scores(config):
    request = VideoRequest(prompt="A cartoon kangaroo disco dances.", storyboard=(StoryboardCard(0, "a zen garden"),))
    scores = hooks.moderate(request, config)
    assert set(scores) == {"prompt", "negative_prompt", "storyboard[0].prompt"}
    assert all(0.0 <= v <= 1.0 for field in scores.values() for v in field.values())


def test_moderate_refuses_with_moderation_blocked(config):
    with pytest.raises(hooks.PolicyViolation) as caught:
        hooks.moderate(VideoRequest(prompt="a pornographic video in a hotel room"), config)
    body = caught.value.to_openai_error()["error"]
    assert body["code"] == "moderation_blocked" and body["category"] == "sexual" and body["param"] == "prompt"


def test_policy_can_be_turned_off_by_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_HOME", str(tmp_path))
    (tmp_path / "safety.toml").write_text("[policy]\nenabled = false\n")
    assert hooks.moderate(VideoRequest(prompt="Mickey Mouse"), load_config()) == {}


def test_finish_video_keeps_an_engine_stamp(config, tmp_path):
    provenance = Provenance(config)
    stamp = provenance.stamp(model="tiny-test", fps=8.0, video_id="video_job1")
    path = tmp_path / "video.mp4"
    with VideoWriter(path, 8.0, stamp=stamp) as writer:
        for frame in scene(2):
            writer.write(frame)
    before = path.read_bytes()
    details = hooks.finish_video(path, video_id="video_job1", model="tiny-test", config=config, provenance=provenance)
    assert details["output_check"]["verdict"] == "pass"
    assert details["provenance"]["stamped_by"] == "engine" and path.read_bytes() == before


def test_finish_video_stamps_an_unstamped_video_and_verify_file_finds_it(config, tmp_path):
    path = write_video(tmp_path / "video.mp4", scene(3), 8.0)
    details = hooks.finish_video(path, video_id="video_job2", model="other", config=config)
    assert details["provenance"]["stamped_by"] == "finish_video" and details["provenance"]["video_id"] == "video_job2"
    report = hooks.verify_file(path, Provenance(config))
    assert report["verdict"] == "made here" and report["manifest"]["video_id"] == "video_job2"


def test_held_output_raises(config, tmp_path, monkeypatch):
    from kinema.safety import output

    monkeypatch.setattr(output, "nudenet_detector", lambda: lambda frame: [
        {"class": "FEMALE_GENITALIA_EXPOSED", "score": 0.9, "box": [0, 0, 4, 4]}])
    path = write_video(tmp_path / "video.mp4", scene(4), 8.0)
    with pytest.raises(hooks.OutputHeld) as caught:
        hooks.finish_video(path, video_id="video_job3", model="m", config=config)
    assert caught.value.code == "output_held" and caught.value.verdict.held
