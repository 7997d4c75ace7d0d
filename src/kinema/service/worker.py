"""The worker: claims jobs, runs the engine, stores the files, reports — the only part that imports torch.

One job at a time per worker process (a model fills its device); run more processes for more
throughput, on this machine or others, against the same database and storage.

    python -m kinema.service.worker   or   kinema worker --model kinema-s

A job's life here: claim (queue.py) → fetch its inputs from storage → `engine.generate` with a
progress callback per denoising step, the job's video id and request id (the engine was built with
the service's provenance, so the watermark and the signed C2PA manifest name this video) →
`hooks.before_download` (output checks: a held video fails with `output_held` and nothing is
uploaded) → thumbnail and spritesheet → upload under `videos/<id>/<attempt>/` → complete, fenced by
the lease token. A heartbeat thread keeps the lease while the engine works (decoding gives no callbacks). Whatever goes wrong ends in `fail`
with a reason — except losing the lease (deleted, or taken over after a stall), where the worker
removes its own uploads and walks away, and a clean shutdown, where it gives the job back.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kinema.engines.base import RequestError, StoryboardCard, VideoRequest
from kinema.service import db, hooks, queue
from kinema.service.errors import APIError
from kinema.service.settings import Settings
from kinema.service.storage import Storage, open_storage

log = logging.getLogger("kinema.worker")

IDLE_SLEEP = 0.5
PROGRESS_WRITE_SECONDS = 0.5
DENOISE_SHARE = 95
"""Denoising is this share of the progress bar; decoding, previews and upload make up the rest."""


class LeaseLost(Exception):
    """The job is no longer this worker's (deleted, or re-claimed after a stall)."""


class Stopping(Exception):
    """The worker was asked to stop; the job goes back to the queue."""


def default_loader(model: str, device: str, provenance=None):
    from kinema.engines import load_engine

    return load_engine(model, device=device, provenance=provenance)


@dataclass
class Worker:
    settings: Settings
    models: list[str]
    """Model names or checkpoint folders to serve."""
    device: str = "cpu"
    loader: Callable[..., object] = default_loader
    """(model, device, provenance=) → an engine."""
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    storage: Storage | None = None

    def __post_init__(self):
        self.stop_event = threading.Event()
        engine = db.make_engine(self.settings.resolved_database_url)
        db.upgrade(engine)
        self.sessions = db.make_sessions(engine)
        self.storage = self.storage or open_storage(self.settings.resolved_storage_url)
        self.engines: dict[str, object] = {}
        self.provenance = hooks.provenance(self.settings)  # engines stamp with it; finish_video checks with it
        self.safety = self.provenance.config

    # --- set-up -------------------------------------------------------------------------------

    def load(self) -> None:
        """Load every model and register it, so the API can check requests against its capabilities."""
        for source in self.models:
            engine = self.loader(source, self.device, provenance=self.provenance)
            self.engines[engine.name] = engine
            capabilities = engine.capabilities().to_dict()
            if getattr(getattr(engine, "info", None), "fixed_size", False):
                capabilities["fixed_size"] = True  # a diffusers model that makes only its `sizes` (CogVideoX-I2V)
            queue.register_model(
                self.sessions, name=engine.name, source=source, engine=type(engine).__name__.removesuffix("Engine").lower() or "native",
                capabilities=capabilities,
            )
            log.info("serving model %s (%s)", engine.name, source)

    # --- the loop -----------------------------------------------------------------------------

    def run(self, max_jobs: int | None = None) -> int:
        """Work until stopped (or `max_jobs` are done); returns how many jobs were finished."""
        if not self.engines:
            self.load()
        done, last_touch = 0, 0.0
        while not self.stop_event.is_set() and (max_jobs is None or done < max_jobs):
            if time.time() - last_touch > self.settings.heartbeat_seconds:
                queue.touch_models(self.sessions, names=list(self.engines))
                self.sweep()
                last_touch = time.time()
            if self.run_once():
                done += 1
            else:
                self.stop_event.wait(IDLE_SLEEP)
        return done

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue had none for this worker."""
        claim = queue.claim(
            self.sessions, worker_id=self.worker_id, models=list(self.engines),
            lease_seconds=self.settings.lease_seconds, max_attempts=self.settings.max_attempts,
        )
        if claim is None:
            return False
        log.info("claimed %s (attempt %d)", claim.video_id, claim.attempt)
        self.process(claim)
        return True

    def stop(self) -> None:
        self.stop_event.set()

    def sweep(self) -> int:
        """Delete the files of videos past their expires_at (settings.retention_days); returns how many."""
        if not self.settings.retention_days:
            return 0
        expired = queue.expired_outputs(self.sessions, now=time.time())
        for video_id, _outputs in expired:
            self.storage.delete_prefix(f"videos/{video_id}")
            self.storage.delete_prefix(f"inputs/{video_id}")
        return len(expired)

    # --- one job ------------------------------------------------------------------------------

    def process(self, claim: queue.Claim) -> None:
        lost = threading.Event()
        state = {"progress": 0, "written": 0.0}
        beat_stop = threading.Event()

        def beat() -> None:
            while not beat_stop.wait(self.settings.heartbeat_seconds):
                if not queue.heartbeat(self.sessions, claim, lease_seconds=self.settings.lease_seconds, progress=state["progress"]):
                    lost.set()
                    return

        def progress(done: int, total: int) -> None:
            if lost.is_set():
                raise LeaseLost(claim.video_id)
            if self.stop_event.is_set():
                raise Stopping(claim.video_id)
            state["progress"] = DENOISE_SHARE * done // max(total, 1)
            now = time.monotonic()
            if now - state["written"] >= PROGRESS_WRITE_SECONDS or done == total:
                state["written"] = now
                if not queue.heartbeat(self.sessions, claim, lease_seconds=self.settings.lease_seconds, progress=state["progress"]):
                    lost.set()
                    raise LeaseLost(claim.video_id)

        heart = threading.Thread(target=beat, name=f"heartbeat-{claim.video_id}", daemon=True)
        heart.start()
        prefix = f"videos/{claim.video_id}/{claim.attempt}"
        try:
            with tempfile.TemporaryDirectory(prefix="kinema-job-") as folder:
                outputs, result = self._generate(claim, Path(folder), progress, prefix)
                if lost.is_set():
                    raise LeaseLost(claim.video_id)
                expires = time.time() + self.settings.retention_days * 86400 if self.settings.retention_days else None
                if not queue.complete(self.sessions, claim, outputs=outputs, result=result, expires_at=expires):
                    raise LeaseLost(claim.video_id)
                log.info("completed %s", claim.video_id)
        except LeaseLost:
            log.warning("lost the lease on %s; discarding this attempt", claim.video_id)
            self.storage.delete_prefix(prefix)
        except Stopping:
            self.storage.delete_prefix(prefix)
            queue.release(self.sessions, claim)
            log.info("stopping: gave %s back to the queue", claim.video_id)
        except (RequestError, APIError) as error:
            self.storage.delete_prefix(prefix)
            code = error.code if isinstance(error, APIError) and error.code else "invalid_request"
            queue.fail(self.sessions, claim, code=code, message=str(error), detail=getattr(error, "extra", None))
        except Exception as error:  # a failed job must say why, whatever broke
            log.error("job %s failed:\n%s", claim.video_id, traceback.format_exc())
            self.storage.delete_prefix(prefix)
            queue.fail(self.sessions, claim, code="generation_failed", message=f"{type(error).__name__}: {error}")
        finally:
            beat_stop.set()
            heart.join()

    def _generate(self, claim: queue.Claim, folder: Path, progress, prefix: str) -> tuple[dict, dict]:
        from kinema.video import write_spritesheet, write_thumbnail

        engine = self.engines[claim.engine_model]
        paths = {}
        for name, key in claim.inputs.items():
            target = folder / f"{name}{Path(key).suffix}"
            try:
                paths[name] = self.storage.get_file(key, target)
            except (FileNotFoundError, OSError) as error:
                raise RequestError(f"the {name.replace('_', ' ')} of this job is gone from storage (was it deleted?): {error}", param=name) from error
        request = request_for(claim, paths)
        video_path = folder / "video.mp4"
        request_id = claim.params.get("request_id") or claim.video_id  # jobs queued before request ids existed
        generated = engine.generate(request, video_path, progress=progress, video_id=claim.video_id, request_id=request_id)
        metadata = generated.metadata()
        checked = hooks.before_download(video_path=video_path, request=request, video_id=claim.video_id, metadata=metadata,
                                        request_id=request_id, config=self.safety, provenance=self.provenance)
        for key, value in (checked or {}).items():  # the engine's provenance details, completed by the check's
            metadata[key] = {**metadata[key], **value} if isinstance(value, dict) and isinstance(metadata.get(key), dict) else value
        thumbnail = write_thumbnail(video_path, folder / "thumbnail.webp")
        spritesheet = write_spritesheet(video_path, folder / "spritesheet.jpg")
        outputs = {}
        for name, path, content_type in (("thumbnail", thumbnail, "image/webp"), ("spritesheet", spritesheet, "image/jpeg"), ("video", video_path, "video/mp4")):
            key = f"{prefix}/{path.name}"
            self.storage.put_file(key, path, content_type)
            outputs[name] = key
        return outputs, metadata


def request_for(claim: queue.Claim, paths: dict[str, Path]) -> VideoRequest:
    """The engine request a job stands for (the API already resolved and stored every value)."""
    p = claim.params
    return VideoRequest(
        prompt=claim.prompt, negative_prompt=p.get("negative_prompt", ""), seconds=p.get("seconds"), fps=p.get("fps"),
        size=p.get("size"), seed=p.get("seed"), steps=p.get("steps"), guidance_scale=p.get("guidance_scale"), mode=claim.mode,
        input_reference=paths.get("input_reference"), source_video=paths.get("source_video"), target_video=paths.get("target_video"),
        direction=p.get("direction") or "forward", strength=p.get("strength"),
        storyboard=tuple(StoryboardCard(c["at_second"], c["prompt"]) for c in p.get("storyboard") or ()),
        views=p.get("views"), camera=p.get("camera"),
    )


def main(settings: Settings, models: list[str], device: str = "cpu", parent_pid: int | None = None) -> int:
    """Run a worker until SIGTERM or SIGINT (or, under `kinema serve`, until its parent is gone);
    a job in hand goes back to the queue."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    worker = Worker(settings, models, device=device)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    if parent_pid is not None:
        def orphaned() -> None:
            while not worker.stop_event.wait(1.0):
                if os.getppid() != parent_pid:
                    worker.stop()

        threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    worker.load()
    worker.run()
    return 0
