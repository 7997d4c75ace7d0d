"""Never lost, never finished twice: a worker killed mid-generation, and a whole server killed with
jobs queued, against real processes on the tiny checkpoint.

Leases are 2 s with heartbeats every 0.5 s here, so a dead worker's job is re-claimed in seconds.
"""

import openai
import pytest
from sqlalchemy import func, select

from kinema.service import db, store
from kinema.service.tables import AuditEvent, RegisteredModel, Video
from kinema.video import probe

from .servers import Server, WorkerProcess, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")

SLOW = {"steps": 100, "seed": 1}
"""About 2-4 s of denoising on the tiny model: long enough to kill a worker in the middle."""


class Database:
    def __init__(self, data_dir):
        self.engine = db.make_engine(f"sqlite:///{data_dir / 'kinema.db'}")
        db.upgrade(self.engine)
        self.sessions = db.make_sessions(self.engine)

    def video(self, video_id) -> Video:
        with self.sessions() as session:
            return session.scalar(select(Video).where(Video.id == video_id))

    def completions(self, video_id) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "job_completed", AuditEvent.target == video_id))

    def key(self, email) -> str:
        with self.sessions() as session:
            user = store.create_user(session, email=email, password="a long password", role="admin")
            _, key = store.create_api_key(session, user_id=user.id)
            session.commit()
        return key


def test_a_killed_worker_s_job_is_reclaimed_and_completes_once(tmp_path, tiny_checkpoint):
    data = tmp_path / "data"
    data.mkdir()
    database = Database(data)
    server = Server(data, str(tiny_checkpoint), workers=0)  # the API alone; the workers are ours to kill
    workers = {pid.proc.pid: pid for pid in (WorkerProcess(data, str(tiny_checkpoint), "a"), WorkerProcess(data, str(tiny_checkpoint), "b"))}
    try:
        server.wait_ready()  # the first worker to load has registered the model
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=database.key("k@example.com"), max_retries=0)
        video = client.videos.create(prompt="a ball rolls", seconds="2", extra_body=SLOW)
        wait_for(lambda: database.video(video.id).progress >= 5, 90, "a worker to start denoising")
        row = database.video(video.id)
        victim = workers[int(row.worker_id.rsplit(":", 1)[1])]
        victim.kill()
        row = database.video(video.id)
        assert (row.status, row.attempts) == ("in_progress", 1) and row.progress < 95
        done = client.videos.poll(video.id, poll_interval_ms=200)
        assert done.status == "completed", (done.error, [w.log() for w in workers.values()])
        row = database.video(video.id)
        assert row.attempts == 2 and database.completions(video.id) == 1
        assert int(row.worker_id.rsplit(":", 1)[1]) != victim.proc.pid
        assert all("/2/" in key for key in row.outputs.values())  # the second attempt's files
        assert not (data / "videos" / "videos" / video.id / "1").exists()  # the killed attempt uploaded nothing
        client.videos.download_content(video.id).write_to_file(tmp_path / "out.mp4")
        assert probe(tmp_path / "out.mp4").frames == 16
    finally:
        for process in (*workers.values(), server):
            process.stop()
        database.engine.dispose()


def test_jobs_survive_a_server_killed_and_restarted(tmp_path, tiny_checkpoint):
    data = tmp_path / "data"
    data.mkdir()
    database = Database(data)
    server = Server(data, str(tiny_checkpoint))
    restarted = None
    try:
        server.wait_ready()
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=database.key("r@example.com"), max_retries=0)
        ids = [client.videos.create(prompt=f"clip {i}", seconds="1", extra_body=SLOW).id for i in range(2)]
        wait_for(lambda: database.video(ids[0]).progress >= 5, 90, f"the worker to start\n{server.log()}")
        server.kill()  # the API and its worker, without a chance to clean up
        assert [database.video(i).status for i in ids] == ["in_progress", "queued"]

        restarted = Server(data, str(tiny_checkpoint), port=server.port)
        restarted.wait_ready()
        for video_id in ids:
            assert client.videos.poll(video_id, poll_interval_ms=200).status == "completed"
            assert database.completions(video_id) == 1
        assert database.video(ids[0]).attempts == 2  # re-claimed after its lease ran out
        with database.sessions() as session:
            assert [m.name for m in session.scalars(select(RegisteredModel))] == ["tiny-test"]
    finally:
        for process in (server, restarted):
            if process is not None:
                process.stop()
        database.engine.dispose()
