"""Real processes for the end-to-end tests: `kinema serve` and `kinema worker`, each started the way
a person would start them, on a free loopback port, with short leases so re-claims take seconds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SECRET = "e2e-secret-" + "x" * 40
LEASE = {"KINEMA_LEASE_SECONDS": "2", "KINEMA_HEARTBEAT_SECONDS": "0.5"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(**extra) -> dict[str, str]:
    env = {**os.environ, "KINEMA_SECRET_KEY": SECRET, "OMP_NUM_THREADS": "1", **LEASE, **extra}
    source = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([source, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


class Process:
    """A child process in its own session, so it and its children can be killed together."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]):
        self.log_path = log
        self.handle = open(log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "kinema.cli", *args], env=env, stdout=self.handle,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole process group: a machine losing power, as far as the job is concerned."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


class Server(Process):
    def __init__(self, data_dir: Path, model: str, *, workers: int = 1, port: int | None = None, insecure_cookies: bool = False):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--data-dir", str(data_dir), "--model", model, "--port", str(self.port), "--workers", str(workers)]
        if insecure_cookies:
            args.append("--insecure-cookies")
        super().__init__(args, data_dir.parent / f"serve-{self.port}.log", environment())

    def wait_ready(self, timeout: float = 90, model_live: bool = True) -> dict:
        """Wait until /healthz answers (and, with model_live, a worker has registered its model and the
        prompt moderation is loaded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kinema serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                health = httpx.get(f"{self.url}/healthz", timeout=2).json()
                if not model_live or (any(m["live"] for m in health["models"]) and health["moderation"] == "ready"):
                    return health
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"kinema serve was not ready in {timeout} s:\n{self.log()}")


class WorkerProcess(Process):
    def __init__(self, data_dir: Path, model: str, name: str):
        super().__init__(["worker", "--data-dir", str(data_dir), "--model", model], data_dir.parent / f"worker-{name}.log", environment())


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
