"""Fixtures for the service: a database of either kind, settings, an app with a signed-in API client,
and a worker on a fake engine.

Every in-process app asks the real prompt policy, through one moderation sidecar shared by the whole
run (`shared_moderator`: MiniLM loads once, not per test). Output checks (NudeNet, ~0.5 s a video)
are off in their safety.toml unless a test turns them on (`FAST_SAFETY`); provenance stays on.

PostgreSQL: the tests start their own server in a temporary folder (initdb + pg_ctl from Debian's
packages, as the `postgres` user when run as root, which PostgreSQL refuses), listening on a Unix
socket only, and give each test a fresh database. Without the binaries the PostgreSQL cases are
skipped with a reason; CI (.ci/run) installs them, so there they always run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from kinema.service import db
from kinema.service.settings import Settings

from .fakes import FakeEngine, fake_loader

SECRET = "x" * 48
FAST_SAFETY = "[output]\nenabled = false\n"
"""safety.toml of the fake-engine services: no NudeNet on every fake video (test_worker.py runs it)."""
_MODERATOR = None


def shared_moderator():
    """One moderation sidecar (the real policy) for every in-process app of the run."""
    global _MODERATOR
    if _MODERATOR is None:
        from kinema.service.moderation import Moderator

        _MODERATOR = Moderator(home=Path(tempfile.mkdtemp(prefix="kinema-moderation-")), timeout=120)  # 120: the first request waits for MiniLM
        _MODERATOR.start()
    return _MODERATOR


@pytest.fixture(scope="session", autouse=True)
def close_shared_moderator():
    yield
    if _MODERATOR is not None:
        _MODERATOR.close()
        shutil.rmtree(_MODERATOR.command[_MODERATOR.command.index("--home") + 1], ignore_errors=True)


def find_pg_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresServer:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="kpg"))  # short: a socket path must fit in 107 bytes
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            os.chmod(self.root, 0o777)
        self.data = self.root / "data"
        self.port = 5432

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l", str(self.root / "log"), "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = db.make_engine(self.url())
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """argon2's production cost (~0.1-0.4 s a hash) would dominate these tests; the algorithm and the
    code paths stay the same, only the work factor drops."""
    from argon2 import PasswordHasher

    from kinema.service import security

    saved = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = saved


@pytest.fixture(scope="session")
def postgres():
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except subprocess.CalledProcessError as error:
        server.stop()
        pytest.fail(f"could not start PostgreSQL: {error.stderr or error.stdout}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kinema.db'}"
    return request.getfixturevalue("postgres").new_database()


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {
        "data_dir": tmp_path / "data", "secret_key": SECRET, "heartbeat_seconds": 0.2, "lease_seconds": 1.0,
        "default_model": "fake", **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def sessions(settings):
    engine = db.make_engine(settings.resolved_database_url)
    db.upgrade(engine)
    yield db.make_sessions(engine)
    engine.dispose()


class Service:
    """An app, its HTTP client (an API key's Bearer header set), and a worker on a fake engine."""

    def __init__(self, settings: Settings, engine: FakeEngine | None = None, safety: str = FAST_SAFETY, moderator=None):
        from fastapi.testclient import TestClient

        from kinema.service import store
        from kinema.service.app import create_app
        from kinema.service.worker import Worker

        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "safety.toml").write_text(safety)
        self.app = create_app(settings, moderator=moderator or shared_moderator())
        self.engine = engine or FakeEngine()
        self.worker = Worker(settings, ["fake"], loader=fake_loader(self.engine))
        self.worker.load()
        self.client = TestClient(self.app, base_url="https://testserver")
        self.client.__enter__()
        with self.app.state.sessions() as session:
            self.admin = store.create_user(session, email="admin@example.com", password="admin-password", role="admin")
            _, self.key = store.create_api_key(session, user_id=self.admin.id, name="tests")
            session.commit()
        self.client.headers["Authorization"] = f"Bearer {self.key}"

    def user_client(self, email: str, role: str = "user"):
        """A second client, for another account."""
        from fastapi.testclient import TestClient

        from kinema.service import store

        with self.app.state.sessions() as session:
            user = store.create_user(session, email=email, password="user-password", role=role)
            _, key = store.create_api_key(session, user_id=user.id)
            session.commit()
        client = TestClient(self.app, base_url="https://testserver")
        client.headers["Authorization"] = f"Bearer {key}"
        return client

    def work(self, jobs: int | None = None) -> int:
        """Run queued jobs on the worker until the queue is empty (or `jobs` are done)."""
        done = 0
        while (jobs is None or done < jobs) and self.worker.run_once():
            done += 1
        return done

    def close(self):
        self.engine.resume.set()
        self.client.__exit__(None, None, None)


@pytest.fixture
def service(sqlite_settings):
    s = Service(sqlite_settings)
    yield s
    s.close()


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory):
    """One service for a module of tests that each leave it as they found it (refused requests)."""
    s = Service(make_settings(tmp_path_factory.mktemp("shared")))
    yield s
    s.close()


class RunningService:
    """`kinema serve` on the tiny checkpoint, in a subprocess, with helpers to make accounts in its database."""

    def __init__(self, data_dir: Path, model: str):
        from .servers import Server

        self.data_dir = data_dir
        self.server = Server(data_dir, model)
        self.server.wait_ready()
        self.url = self.server.url
        self.engine = db.make_engine(f"sqlite:///{data_dir / 'kinema.db'}")
        self.sessions = db.make_sessions(self.engine)

    def account(self, email: str, password: str = "a long password", role: str = "user") -> str:
        """Make an account; returns an API key for it."""
        from kinema.service import store

        with self.sessions() as session:
            user = store.create_user(session, email=email, password=password, role=role)
            _, key = store.create_api_key(session, user_id=user.id)
            session.commit()
        return key

    def close(self) -> None:
        self.server.stop()
        self.engine.dispose()


@pytest.fixture(scope="session")
def tiny_service(tiny_checkpoint, tmp_path_factory):
    service = RunningService(tmp_path_factory.mktemp("serve") / "data", str(tiny_checkpoint))
    yield service
    service.close()
