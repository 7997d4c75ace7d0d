"""The worker: progress per denoising step, heartbeats, and every way a job can end — completed,
failed with a reason, handed back on shutdown, or abandoned (with its files removed) when deleted."""

import threading
import time

from sqlalchemy import select, update

from kinema.engines.base import RequestError
from kinema.service.tables import AuditEvent, Video

from .conftest import Service, make_settings
from .fakes import FakeEngine


def run_in_thread(service):
    thread = threading.Thread(target=service.worker.run_once)
    thread.start()
    return thread


def get(service, video_id):
    return service.client.get(f"/v1/videos/{video_id}").json()


def test_progress_is_reported_per_step(service):
    service.engine.pause_at = 2
    video = service.client.post("/v1/videos", json={"prompt": "x", "steps": 4}).json()
    thread = run_in_thread(service)
    assert service.engine.paused.wait(10)
    # the step's progress reaches the database at once or with the next heartbeat (0.2 s here)
    deadline = time.monotonic() + 5
    while (running := get(service, video["id"]))["progress"] != 95 * 2 // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running["status"] == "in_progress" and running["progress"] == 95 * 2 // 4
    service.engine.resume.set()
    thread.join(10)
    assert get(service, video["id"])["progress"] == 100


def test_deleting_a_running_job_stops_the_worker_and_leaves_no_files(service):
    service.engine.pause_at = 1
    video = service.client.post("/v1/videos", json={"prompt": "x", "steps": 4}).json()
    thread = run_in_thread(service)
    assert service.engine.paused.wait(10)
    assert service.client.delete(f"/v1/videos/{video['id']}").status_code == 200
    service.engine.resume.set()
    thread.join(10)
    assert not thread.is_alive()
    assert not (service.app.state.storage.root / "videos" / video["id"]).exists()
    assert service.client.get(f"/v1/videos/{video['id']}").status_code == 404


def test_stopping_hands_the_job_back(service):
    service.engine.pause_at = 1
    video = service.client.post("/v1/videos", json={"prompt": "x", "steps": 3}).json()
    thread = run_in_thread(service)
    assert service.engine.paused.wait(10)
    service.worker.stop()
    service.engine.resume.set()
    thread.join(10)
    back = get(service, video["id"])
    assert (back["status"], back["progress"]) == ("queued", 0)
    service.worker.stop_event.clear()
    service.engine.pause_at = None
    assert service.work() == 1 and get(service, video["id"])["status"] == "completed"


def test_engine_errors_fail_the_job_with_the_reason(tmp_path):
    for error, code, words in ((RuntimeError("CUDA out of memory"), "generation_failed", "RuntimeError: CUDA out of memory"),
                               (RequestError("strength 2 is outside 0–1", param="strength"), "invalid_request", "strength 2 is outside")):
        service = Service(make_settings(tmp_path / code), engine=FakeEngine(fail_with=error))
        try:
            video = service.client.post("/v1/videos", json={"prompt": "x"}).json()
            service.work()
            failed = get(service, video["id"])
            assert failed["status"] == "failed" and failed["error"]["code"] == code and words in failed["error"]["message"]
            assert not (service.app.state.storage.root / "videos" / video["id"]).exists()
        finally:
            service.close()


def test_a_source_deleted_before_its_remix_runs_fails_clearly(service):
    source = service.client.post("/v1/videos", json={"prompt": "x"}).json()
    service.work()
    remix = service.client.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "y"}).json()
    service.client.delete(f"/v1/videos/{source['id']}")
    service.work()
    failed = get(service, remix["id"])
    assert failed["status"] == "failed" and "source video of this job is gone from storage" in failed["error"]["message"]


def test_expired_videos_lose_their_files(tmp_path):
    service = Service(make_settings(tmp_path, retention_days=1))
    try:
        video = service.client.post("/v1/videos", json={"prompt": "x"}).json()
        service.work()
        done = get(service, video["id"])
        assert done["expires_at"] - done["completed_at"] in (86399, 86400, 86401)
        assert service.worker.sweep() == 0  # not yet
        with service.app.state.sessions() as session:
            session.execute(update(Video).where(Video.id == video["id"]).values(expires_at=time.time() - 1))
            session.commit()
        assert service.worker.sweep() == 1
        assert not (service.app.state.storage.root / "videos" / video["id"]).exists()
        response = service.client.get(f"/v1/videos/{video['id']}/content")
        assert response.status_code == 404 and response.json()["error"]["code"] == "video_expired"
    finally:
        service.close()


def test_a_video_the_output_checks_hold_is_never_served(tmp_path, monkeypatch):
    """NudeNet stands in for a detector that flags the second video: that job fails with output_held,
    uploads nothing and is audited; the first passes with its verdict kept."""
    from kinema.safety import output

    flag = []
    finding = {"class": "FEMALE_BREAST_EXPOSED", "score": 0.9, "box": [0, 0, 8, 8]}
    monkeypatch.setattr(output, "nudenet_detector", lambda: lambda frame: [finding] if flag else [])
    service = Service(make_settings(tmp_path), safety="")  # the default configuration: output checks on
    try:
        passed = service.client.post("/v1/videos", json={"prompt": "a red ball"}).json()
        service.work()
        assert get(service, passed["id"])["kinema"]["result"]["output_check"]["verdict"] == "pass"
        flag.append(True)
        held = service.client.post("/v1/videos", json={"prompt": "a blue ball"}).json()
        service.work()
        failed = get(service, held["id"])
        assert failed["status"] == "failed" and failed["error"]["code"] == "output_held" and "female_breast_exposed" in failed["error"]["message"]
        assert not (service.app.state.storage.root / "videos" / held["id"]).exists()
        assert service.client.get(f"/v1/videos/{held['id']}/content").status_code == 400
        with service.app.state.sessions() as session:
            event = session.scalar(select(AuditEvent).where(AuditEvent.action == "job_failed", AuditEvent.target == held["id"]))
        assert event.detail["code"] == "output_held" and event.detail["output_check"]["verdict"] == "held"
    finally:
        service.close()
