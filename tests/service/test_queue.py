"""The queue's promises, against SQLite and PostgreSQL: each job claimed by one worker at a time,
expired leases re-claimed, stale workers fenced out, poison jobs failed, models registered."""

import threading
import time

from sqlalchemy import func, select

from kinema.service import queue, store
from kinema.service.tables import AuditEvent, RegisteredModel, Video


def make_jobs(sessions, n, model="m"):
    with sessions() as session:
        user = store.create_user(session, email=f"q{time.time_ns()}@example.com", password="long enough pw", role="user")
        ids = [
            store.add_video(session, owner_id=user.id, model=model, engine_model=model, mode="text-to-video", prompt=f"job {i}",
                            params={"seed": i}, inputs={}, size="64x64", seconds="1", outputs={}).id
            for i in range(n)
        ]
        session.commit()
    return ids


def take(sessions, worker="w", models=("m",), lease=30.0, attempts=3):
    return queue.claim(sessions, worker_id=worker, models=list(models), lease_seconds=lease, max_attempts=attempts)


def status(sessions, video_id):
    with sessions() as session:
        return session.scalar(select(Video).where(Video.id == video_id))


def test_claims_oldest_first_and_only_for_served_models(sessions):
    first, second = make_jobs(sessions, 2)
    (other,) = make_jobs(sessions, 1, model="other")
    assert take(sessions, models=("nope",)) is None
    claim = take(sessions)
    assert claim.video_id == first and claim.attempt == 1 and claim.params == {"seed": 0}
    assert take(sessions).video_id == second
    assert take(sessions) is None
    assert take(sessions, models=("other",)).video_id == other
    row = status(sessions, first)
    assert row.status == "in_progress" and row.worker_id == "w" and row.lease_token == claim.token


def test_concurrent_workers_never_share_a_job(sessions):
    ids = make_jobs(sessions, 12)
    claimed: list[str] = []
    lock = threading.Lock()

    def work(name):
        while (claim := take(sessions, worker=name)) is not None:
            with lock:
                claimed.append(claim.video_id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)  # every job once, none twice


def test_heartbeat_keeps_the_lease_and_records_progress(sessions):
    make_jobs(sessions, 1)
    claim = take(sessions, lease=0.5)
    assert queue.heartbeat(sessions, claim, lease_seconds=30, progress=40)
    time.sleep(0.6)
    assert take(sessions) is None  # still leased: the heartbeat moved the deadline
    assert status(sessions, claim.video_id).progress == 40


def test_expired_lease_is_reclaimed_and_the_stale_worker_is_fenced_out(sessions):
    (video_id,) = make_jobs(sessions, 1)
    stale = take(sessions, worker="dead", lease=0.2)
    time.sleep(0.3)
    fresh = take(sessions, worker="alive")
    assert fresh.video_id == video_id and fresh.attempt == 2 and fresh.token != stale.token
    assert not queue.heartbeat(sessions, stale, lease_seconds=30)
    assert not queue.complete(sessions, stale, outputs={"video": "stale"}, result={}, expires_at=None)
    assert not queue.fail(sessions, stale, code="x", message="stale")
    assert queue.complete(sessions, fresh, outputs={"video": "k"}, result={"ok": 1}, expires_at=None)
    assert not queue.complete(sessions, fresh, outputs={"video": "again"}, result={}, expires_at=None)
    row = status(sessions, video_id)
    assert (row.status, row.progress, row.outputs, row.attempts) == ("completed", 100, {"video": "k"}, 2)
    with sessions() as session:
        completions = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "job_completed", AuditEvent.target == video_id))
    assert completions == 1


def test_a_job_that_keeps_killing_workers_fails_with_a_reason(sessions):
    (video_id,) = make_jobs(sessions, 1)
    for _ in range(2):
        assert take(sessions, lease=0.05, attempts=2) is not None
        time.sleep(0.1)
    assert take(sessions, attempts=2) is None
    row = status(sessions, video_id)
    assert row.status == "failed" and row.error_code == "worker_lost" and "2 times" in row.error_message


def test_release_gives_the_job_back_without_spending_an_attempt(sessions):
    (video_id,) = make_jobs(sessions, 1)
    claim = take(sessions)
    assert queue.release(sessions, claim)
    row = status(sessions, video_id)
    assert (row.status, row.attempts, row.lease_token) == ("queued", 0, None)
    assert take(sessions).attempt == 1


def test_fail_records_the_reason(sessions):
    (video_id,) = make_jobs(sessions, 1)
    claim = take(sessions)
    assert queue.fail(sessions, claim, code="generation_failed", message="RuntimeError: boom")
    row = status(sessions, video_id)
    assert (row.status, row.error_code, row.error_message) == ("failed", "generation_failed", "RuntimeError: boom")
    with sessions() as session:
        assert queue.depth(session) == {"failed": 1}


def test_models_are_registered_by_upsert(sessions):
    queue.register_model(sessions, name="m", source="/ckpt", engine="native", capabilities={"modes": ["text-to-video"]})
    queue.register_model(sessions, name="m", source="/ckpt2", engine="native", capabilities={"modes": ["image"]})
    with sessions() as session:
        rows = session.scalars(select(RegisteredModel)).all()
    assert [(r.name, r.source, r.capabilities) for r in rows] == [("m", "/ckpt2", {"modes": ["image"]})]


def test_expired_outputs_are_handed_out_once(sessions):
    keep, expire = make_jobs(sessions, 2)
    for video_id, expires in ((keep, time.time() + 3600), (expire, time.time() - 1)):
        claim = take(sessions)
        assert claim.video_id == video_id
        queue.complete(sessions, claim, outputs={"video": f"videos/{video_id}/1/video.mp4"}, result={}, expires_at=expires)
    assert queue.expired_outputs(sessions, now=time.time()) == [(expire, {"video": f"videos/{expire}/1/video.mp4"})]
    assert queue.expired_outputs(sessions, now=time.time()) == []
    assert status(sessions, keep).outputs == {"video": f"videos/{keep}/1/video.mp4"}
