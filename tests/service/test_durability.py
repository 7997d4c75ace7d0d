"""Never lost, never finished twice: a worker killed mid-generation, and a whole server killed with
jobs queued, against real processes on the tiny checkpoint.

Leases are 2 s with heartbeats every 0.5 s here, so a dead worker's job is re-claimed in seconds.
"""

import os
import signal

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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, tiny_checkpoint):
    """`kinema serve` (the API and one worker) plus a second `kinema worker`, on one SQLite database.

    Both tests use it, so the workers' start-up (torch, the text encoder) is paid once.
    """
    data = tmp_path_factory.mktemp("cluster") / "data"
    data.mkdir()
    database = Database(data)
    model = str(tiny_checkpoint)
    processes = {"server": Server(data, model), "worker": WorkerProcess(data, model, "standalone")}
    processes["server"].wait_ready()
    key = database.key("k@example.com")
    yield database, processes, model, data, key
    for process in processes.values():
        process.stop()
    database.engine.dispose()


def worker_pid(row) -> int:
    return int(row.worker_id.rsplit(":", 1)[1])


def test_a_killed_worker_s_job_is_reclaimed_and_completes_once(cluster, tmp_path):
    database, processes, model, data, key = cluster
    loaded = lambda: all("serving model tiny-test" in p.log() for p in processes.values())  # noqa: E731
    wait_for(loaded, 90, "both workers to load the model")
    client = openai.OpenAI(base_url=f"{processes['server'].url}/v1", api_key=key, max_retries=0)
    video = client.videos.create(prompt="a ball rolls", seconds="2", extra_body=SLOW)
    wait_for(lambda: database.video(video.id).progress >= 5, 90, "a worker to start denoising")
    victim = worker_pid(database.video(video.id))
    os.kill(victim, signal.SIGKILL)  # the standalone worker, or serve's own (which serve restarts)
    row = database.video(video.id)
    assert (row.status, row.attempts) == ("in_progress", 1) and row.progress < 95
    done = client.videos.poll(video.id, poll_interval_ms=200)
    assert done.status == "completed", (done.error, processes["server"].log(), processes["worker"].log())
    row = database.video(video.id)
    assert row.attempts == 2 and worker_pid(row) != victim and database.completions(video.id) == 1
    assert all("/2/" in key for key in row.outputs.values())  # the second attempt's files
    assert not (data / "videos" / "videos" / video.id / "1").exists()  # the killed attempt uploaded nothing
    client.videos.download_content(video.id).write_to_file(tmp_path / "out.mp4")
    assert probe(tmp_path / "out.mp4").frames == 16


def test_jobs_survive_a_server_killed_and_restarted(cluster):
    database, processes, model, data, key = cluster
    server = processes["server"]
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0)
    ids = [client.videos.create(prompt=f"clip {i}", seconds="1", extra_body=SLOW).id for i in range(3)]
    wait_for(lambda: database.video(ids[0]).status == "in_progress", 90, "a worker to take the first job")
    for process in processes.values():  # every process, without a chance to clean up
        process.kill()
    assert [database.video(i).status for i in ids].count("completed") < 3

    processes["server"] = restarted = Server(data, model, port=server.port)
    restarted.wait_ready()
    for video_id in ids:
        assert client.videos.poll(video_id, poll_interval_ms=200).status == "completed", restarted.log()
        assert database.completions(video_id) == 1
    assert [database.video(i).attempts for i in ids].count(1) >= 1
