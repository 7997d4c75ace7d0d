"""`kinema serve`: the API (uvicorn) and its workers, on one machine.

The workers are child processes, not threads: the API process then never imports torch (STYLE.md §7)
and a crash inside a model (out of memory, a segfault in a kernel) cannot take the API down. The
supervisor restarts a worker that dies; a worker whose parent dies gets SIGTERM from the kernel
(PR_SET_PDEATHSIG), gives its job back and exits, so no orphan keeps a lease.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from kinema.service.settings import Settings

log = logging.getLogger("kinema.serve")
PR_SET_PDEATHSIG = 1
RESTART_BACKOFF = (1, 2, 5, 10, 30)
USAGE_ERROR = 2
"""`kinema`'s exit code for a user mistake."""


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as KINEMA_* variables, so a child process reads exactly what its parent runs with."""
    env = {}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        if name == "model_aliases":
            value = ",".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, (dict, list)):
            value = json.dumps(value)
        env[f"KINEMA_{name.upper()}"] = str(value)
    return env


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the worker's own parent check covers it
        pass


class Supervisor:
    """Keeps `count` worker processes running; restarts one that exits, with backoff."""

    def __init__(self, settings: Settings, models: list[str], device: str, count: int):
        self.command = [sys.executable, "-m", "kinema.cli", "worker", "--device", device, "--parent-pid", str(os.getpid())]
        for model in models:
            self.command += ["--model", model]
        self.env = {**os.environ, **settings_env(settings)}
        self.count = count
        self.children: list[subprocess.Popen | None] = [None] * count
        self.restarts = [0] * count
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def _spawn(self, index: int) -> None:
        self.children[index] = subprocess.Popen(self.command, env=self.env, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        log.info("started worker %d (pid %d)", index, self.children[index].pid)

    def start(self) -> None:
        for index in range(self.count):
            self._spawn(index)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            for index, child in enumerate(self.children):
                if child is not None and child.poll() == USAGE_ERROR:
                    # a mistake (an unknown model, a bad setting) would fail the same way again
                    log.error("worker %d refused to start (its error is above); not restarting it", index)
                    self.children[index] = None
                elif child is not None and child.poll() is not None and not self.stopping.is_set():
                    delay = RESTART_BACKOFF[min(self.restarts[index], len(RESTART_BACKOFF) - 1)]
                    log.warning("worker %d exited with %s; restarting in %d s", index, child.returncode, delay)
                    self.restarts[index] += 1
                    if self.stopping.wait(delay):
                        return
                    self._spawn(index)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM every worker (each gives its job back), then SIGKILL whoever is still there."""
        self.stopping.set()
        for child in self.children:
            if child is not None and child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + timeout
        for child in self.children:
            if child is None:
                continue
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def run(settings: Settings, *, models: list[str], workers: int, device: str) -> int:
    import uvicorn

    from kinema.service.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(settings)  # migrates before any worker starts
    supervisor = Supervisor(settings, models, device, workers)
    supervisor.start()
    try:
        server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True))
        server.run()
    finally:
        supervisor.stop()
    return 0
