"""Prompt moderation for the API process: the policy runs in a sidecar process, over a pipe.

The prompt policy (`kinema.safety.policy`) reads texts with MiniLM, that is with torch, and the API
process must not import torch (STYLE.md §7). So the API starts one child process,
`python -m kinema.service.moderation`, the way `kinema serve` starts its workers: it loads the policy
once and answers on its stdin / stdout, one JSON object a line:

    → {"id": 3, "texts": {"prompt": "a red ball", "negative_prompt": ""}}
    ← {"id": 3, "scores": {"prompt": {"violence": 0.001, …}, "negative_prompt": {…}}}   allowed
    ← {"id": 3, "refused": {"message": …, "param": "prompt", "code": "moderation_blocked",
                           "category": "sexual", "scores": {…}}}                          refused
    ← {"id": 3, "error": "RuntimeError: …"}                                              the policy broke

and, before any of that, {"ready": true} once the policy is loaded, or {"fatal": "…"} when it cannot
start (a bad safety.toml, say).

It fails closed: a text is never let through unread. A request waits at most `timeout` seconds for
its answer, loading included; past that, or while the sidecar is down, `check` raises
`ModerationUnavailable` (the API answers 503 and queues nothing). A sidecar that exits is started
again after a short backoff; one that stops answering is killed, and so started again. One request
at a time goes through the pipe: the policy runs one forward pass at a time anyway, and a short
prompt takes milliseconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger("kinema.moderation")

RESTART_BACKOFF = (0.5, 1, 2, 5, 10, 30)
SIDECAR_THREADS = "2"
"""Torch threads in the sidecar (unless OMP_NUM_THREADS says otherwise): a prompt is a few dozen
tokens, and the machine's cores belong to the workers."""


class ModerationUnavailable(RuntimeError):
    """The policy could not read a request in time (starting, restarting, hung or broken)."""


class Refused(Exception):
    """The policy refused a text; `error` is OpenAI's error object with the category and the scores."""

    def __init__(self, error: dict):
        super().__init__(error["message"])
        self.error = error
        self.field = error.get("param")
        self.category = error.get("category")
        self.scores = error.get("scores") or {}


class Moderator:
    """The API side of the sidecar: starts it, restarts it, and asks it about each request's texts."""

    def __init__(self, *, home: Path, config: Path | None = None, timeout: float = 15.0):
        self.command = [sys.executable, "-m", "kinema.service.moderation", "--home", str(home)]
        if config is not None:
            self.command += ["--config", str(config)]
        self.timeout = timeout
        self._pipe = threading.Lock()  # one request through the pipe at a time
        self._cond = threading.Condition()  # guards everything below; notified on every message and exit
        self._process: subprocess.Popen | None = None
        self._ready = False
        self._fatal: str | None = None
        self._answers: dict[int, dict] = {}
        self._last_id = 0
        self._restarts = 0
        self._closing = threading.Event()

    @classmethod
    def for_settings(cls, settings) -> Moderator:
        return cls(home=settings.data_dir, config=settings.safety_config, timeout=settings.moderation_timeout_seconds)

    # --- the process --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the sidecar (it loads in the background; `check` waits for it)."""
        with self._cond:
            if self._process is None and not self._closing.is_set():
                self._spawn()

    def _spawn(self) -> None:
        env = {**os.environ}
        env.setdefault("OMP_NUM_THREADS", SIDECAR_THREADS)
        # No preexec_fn (it is unsafe in a threaded server): when the API process dies, the sidecar
        # reads the end of its stdin and exits.
        process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        self._process, self._ready, self._fatal = process, False, None
        threading.Thread(target=self._read, args=(process,), name="moderation-reader", daemon=True).start()
        log.info("started the moderation sidecar (pid %d)", process.pid)

    def _read(self, process: subprocess.Popen) -> None:
        """Collect the sidecar's messages; when it exits, start another (unless closing, or it cannot start)."""
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("moderation sidecar said something that is not JSON: %r", line[:200])
                continue
            with self._cond:
                if message.get("ready"):
                    self._ready, self._restarts = True, 0
                    log.info("moderation sidecar ready (pid %d)", process.pid)
                elif "fatal" in message:
                    self._fatal = str(message["fatal"])
                    log.error("moderation sidecar cannot start: %s", self._fatal)
                elif "id" in message:
                    self._answers[message["id"]] = message
                self._cond.notify_all()
        code = process.wait()
        with self._cond:
            if process is not self._process:
                return
            self._ready = False
            self._cond.notify_all()
            if self._closing.is_set() or self._fatal is not None:
                return
            delay = RESTART_BACKOFF[min(self._restarts, len(RESTART_BACKOFF) - 1)]
            self._restarts += 1
        log.warning("moderation sidecar exited with %s; starting it again in %g s", code, delay)
        if self._closing.wait(delay):
            return
        with self._cond:
            if process is self._process and not self._closing.is_set():
                self._spawn()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the sidecar (end of input, then SIGKILL if it lingers)."""
        self._closing.set()
        with self._cond:
            process = self._process
            self._cond.notify_all()
        if process is None or process.poll() is not None:
            return
        try:
            process.stdin.close()
            process.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def state(self) -> str:
        """ready, starting, failed (cannot start), stopped, or not started."""
        with self._cond:
            if self._fatal is not None:
                return "failed"
            if self._closing.is_set():
                return "stopped"
            if self._process is None:
                return "not started"
            return "ready" if self._ready else "starting"

    def wait_ready(self, timeout: float) -> bool:
        """Start the sidecar if needed and wait until it answers; False if it did not in `timeout` s."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._ready and self._fatal is None and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return self._ready

    # --- asking -------------------------------------------------------------------------------

    def check(self, texts: dict[str, str]) -> dict:
        """Scores of every text by field; raises Refused, or ModerationUnavailable when no answer came."""
        deadline = time.monotonic() + self.timeout
        if not self._pipe.acquire(timeout=self.timeout):
            raise ModerationUnavailable(f"the moderation sidecar is busy; no answer in {self.timeout:g} s")
        try:
            answer = self._ask(texts, deadline)
        finally:
            self._pipe.release()
        if "refused" in answer:
            raise Refused(answer["refused"])
        if "error" in answer:
            raise ModerationUnavailable(f"the policy failed on this request ({answer['error']})")
        return answer["scores"]

    def _ask(self, texts: dict[str, str], deadline: float) -> dict:
        with self._cond:
            if self._process is None and not self._closing.is_set():
                self._spawn()
            while not self._ready:
                if self._fatal is not None:
                    raise ModerationUnavailable(f"the moderation sidecar cannot start: {self._fatal}")
                if self._closing.is_set():
                    raise ModerationUnavailable("the moderation sidecar is stopped (the server is shutting down)")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ModerationUnavailable(f"the moderation sidecar is starting and did not answer in {self.timeout:g} s")
                self._cond.wait(remaining)
            self._last_id += 1
            ident, process = self._last_id, self._process
        try:
            process.stdin.write(json.dumps({"id": ident, "texts": texts}) + "\n")
            process.stdin.flush()
        except (OSError, ValueError):  # a closed pipe: it died a moment ago and is being restarted
            raise ModerationUnavailable("the moderation sidecar stopped and is restarting") from None
        with self._cond:
            while ident not in self._answers:
                if process is not self._process or not self._ready:
                    raise ModerationUnavailable("the moderation sidecar stopped while reading this request; it is restarting")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.error("moderation sidecar (pid %d) gave no answer in %g s; killing it", process.pid, self.timeout)
                    process.kill()  # its reader sees the exit and starts a fresh one
                    self._ready = False
                    self._answers.pop(ident, None)
                    raise ModerationUnavailable(f"the moderation sidecar did not answer in {self.timeout:g} s; it is being restarted")
                self._cond.wait(remaining)
            return self._answers.pop(ident)


# --- the sidecar itself ---------------------------------------------------------------------------


def serve(home: Path, config_path: Path | None) -> int:
    """Load the policy, say ready, answer requests until stdin ends."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into the protocol
    sys.stdout = sys.stderr

    def send(message: dict) -> None:
        channel.write(json.dumps(message) + "\n")

    try:
        from kinema.safety import hooks as safety
        from kinema.safety.config import load_config

        config = load_config(config_path, home=home)
        safety.moderate_texts({"warm-up": "a red ball rolls across a table"}, config)  # load MiniLM now, not on a request
    except Exception as error:  # a bad configuration or missing weights: say why, and do not come back
        send({"fatal": f"{type(error).__name__}: {error}"})
        return 2
    send({"ready": True, "policy": config.policy.enabled})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            ident, texts = request["id"], request["texts"]
            if not isinstance(texts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items()):
                raise ValueError("texts must map field names to strings")
        except (ValueError, KeyError, TypeError) as error:
            print(f"moderation: ignoring a bad request line ({error}): {line[:200]!r}", file=sys.stderr)
            continue
        try:
            send({"id": ident, "scores": safety.moderate_texts(texts, config)})
        except safety.PolicyViolation as refusal:
            send({"id": ident, "refused": refusal.to_openai_error(include_scores=True)["error"]})
        except Exception as error:  # the API refuses the request (503): it must learn why, and the sidecar lives on
            logging.getLogger("kinema.moderation").exception("the policy failed")
            send({"id": ident, "error": f"{type(error).__name__}: {error}"})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kinema's prompt moderation sidecar (started by the API; JSON lines on stdin/stdout)")
    parser.add_argument("--home", type=Path, required=True, help="the service's data folder (the safety data folder)")
    parser.add_argument("--config", type=Path, help="safety.toml (default: <home>/safety.toml or $KINEMA_SAFETY_CONFIG)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    return serve(args.home, args.config)


if __name__ == "__main__":
    sys.exit(main())
