"""The durable job queue: the `videos` table, claimed with leases and fenced with tokens.

A job (a video row) moves queued → in_progress → completed | failed. The rules that make it
never lost and never finished twice:

1. **Claim** picks the oldest queued job for a model the worker serves and, in the same
   transaction, marks it in_progress with a fresh random `lease_token` and a lease deadline. On
   PostgreSQL the pick is `FOR UPDATE SKIP LOCKED`, so concurrent workers each get a different job
   without waiting on one another; on SQLite the transaction's BEGIN IMMEDIATE (db.py) serialises
   claims outright.
2. **Heartbeats** push the deadline forward, and carry progress. A worker that dies stops beating.
3. **Expired leases** go back to the queue (any worker requeues them before claiming), or fail for
   good after `max_attempts` claims, naming why — a job that kills every worker must not loop.
4. **Fencing**: heartbeat, complete and fail only touch the row `WHERE lease_token = <mine>`. A worker
   that lost its lease (it stalled, the job was re-claimed or deleted) learns so from a zero row count
   and stops; it can never complete a job another worker now owns.

Functions take a `sessionmaker` and run their own short transaction each, because they are called
from the worker's loop and its heartbeat thread, never inside a request.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kinema.service import store
from kinema.service.tables import RegisteredModel, Video

ACTIVE = ("queued", "in_progress")


@dataclass(frozen=True)
class Claim:
    video_id: str
    token: str
    attempt: int
    owner_id: int
    engine_model: str
    mode: str
    prompt: str
    params: dict
    inputs: dict


def requeue_expired(session: Session, *, now: float, max_attempts: int) -> tuple[list[str], list[str]]:
    """Return jobs whose lease ran out to the queue, or fail those out of attempts; (requeued, failed) ids."""
    expired = session.scalars(
        select(Video)
        .where(Video.status == "in_progress", Video.lease_expires_at < now)
        .with_for_update(skip_locked=True)
    ).all()
    requeued, failed = [], []
    for video in expired:
        video.lease_token = video.worker_id = video.lease_expires_at = None
        if video.deleted_at is not None:
            video.status, video.error_code, video.error_message = "failed", "deleted", "the video was deleted while it was being generated"
        elif video.attempts >= max_attempts:
            video.status = "failed"
            video.error_code = "worker_lost"
            video.error_message = f"the worker generating this video stopped responding {video.attempts} times; giving up"
            video.completed_at = now
            store.audit(session, action="job_failed", user_id=video.owner_id, target=video.id, detail={"code": video.error_code})
            failed.append(video.id)
        else:
            video.status, video.progress = "queued", 0
            requeued.append(video.id)
    return requeued, failed


def claim(sessions: sessionmaker, *, worker_id: str, models: list[str], lease_seconds: float, max_attempts: int) -> Claim | None:
    """Take the oldest queued job for one of `models`, or None when there is none."""
    with sessions.begin() as session:
        now = time.time()
        requeue_expired(session, now=now, max_attempts=max_attempts)
        video = session.scalars(
            select(Video)
            .where(Video.status == "queued", Video.engine_model.in_(models), Video.deleted_at.is_(None))
            .order_by(Video.seq)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if video is None:
            return None
        video.status = "in_progress"
        video.progress = 0
        video.attempts += 1
        video.worker_id = worker_id
        video.lease_token = secrets.token_hex(16)
        video.lease_expires_at = now + lease_seconds
        video.started_at = video.started_at or now
        return Claim(
            video_id=video.id, token=video.lease_token, attempt=video.attempts, owner_id=video.owner_id,
            engine_model=video.engine_model, mode=video.mode, prompt=video.prompt, params=dict(video.params),
            inputs=dict(video.inputs or {}),
        )


def _fenced(claim: Claim):
    return update(Video).where(
        Video.id == claim.video_id, Video.lease_token == claim.token, Video.status == "in_progress", Video.deleted_at.is_(None)
    )


def heartbeat(sessions: sessionmaker, claim: Claim, *, lease_seconds: float, progress: int | None = None) -> bool:
    """Extend the lease (and record progress); False when the job is no longer this worker's."""
    values = {"lease_expires_at": time.time() + lease_seconds}
    if progress is not None:
        values["progress"] = max(0, min(99, int(progress)))  # 100 only when the files are in place
    with sessions.begin() as session:
        return session.execute(_fenced(claim).values(**values)).rowcount == 1


def complete(sessions: sessionmaker, claim: Claim, *, outputs: dict, result: dict, expires_at: float | None) -> bool:
    """Mark the job completed with its stored files; False if the lease was lost (the caller cleans up)."""
    now = time.time()
    with sessions.begin() as session:
        done = session.execute(
            _fenced(claim).values(
                status="completed", progress=100, outputs=outputs, result=result, completed_at=now, expires_at=expires_at,
                lease_token=None, lease_expires_at=None,
            )
        ).rowcount == 1
        if done:
            store.audit(session, action="job_completed", user_id=claim.owner_id, target=claim.video_id, detail={"attempt": claim.attempt})
        return done


def fail(sessions: sessionmaker, claim: Claim, *, code: str, message: str, detail: dict | None = None) -> bool:
    """Mark the job failed with a reason; `detail` goes to the audit log with it (an output check's verdict)."""
    with sessions.begin() as session:
        done = session.execute(
            _fenced(claim).values(
                status="failed", error_code=code, error_message=message[:2000], completed_at=time.time(),
                lease_token=None, lease_expires_at=None,
            )
        ).rowcount == 1
        if done:
            store.audit(session, action="job_failed", user_id=claim.owner_id, target=claim.video_id,
                        detail={"code": code, "message": message[:500], **(detail or {})})
        return done


def release(sessions: sessionmaker, claim: Claim) -> bool:
    """Give a job back untouched (a worker shutting down cleanly); the attempt does not count."""
    with sessions.begin() as session:
        return session.execute(
            _fenced(claim).values(
                status="queued", progress=0, attempts=Video.attempts - 1, worker_id=None, lease_token=None, lease_expires_at=None
            )
        ).rowcount == 1


def expired_outputs(sessions: sessionmaker, *, now: float, limit: int = 100) -> list[tuple[str, dict]]:
    """Completed videos past their expires_at that still have files: (id, outputs), and forget the files.

    The caller deletes the files after this commits; a crash in between leaves orphan files at worst,
    never a row that points at nothing.
    """
    with sessions.begin() as session:
        rows = session.scalars(
            # PostgreSQL's json type has no equality; its text form is the same "{}" on both databases
            select(Video).where(Video.status == "completed", Video.expires_at < now, cast(Video.outputs, Text) != "{}")
            .limit(limit).with_for_update(skip_locked=True)
        ).all()
        found = [(video.id, dict(video.outputs)) for video in rows if video.outputs]
        for video in rows:
            video.outputs = {}
        return found


def depth(session: Session) -> dict[str, int]:
    """How many videos are in each status (deleted ones left out)."""
    rows = session.execute(select(Video.status, func.count()).where(Video.deleted_at.is_(None)).group_by(Video.status))
    return {status: count for status, count in rows}


# --- the models workers serve ------------------------------------------------------------------------


def register_model(sessions: sessionmaker, *, name: str, source: str, engine: str, capabilities: dict) -> None:
    """Say that a worker serves `name` (an upsert, so workers starting together do not collide)."""
    values = {"name": name, "source": source, "engine": engine, "capabilities": capabilities, "seen_at": time.time()}
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(RegisteredModel).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={k: statement.excluded[k] for k in values if k != "name"}
        )
        session.execute(statement)


def touch_models(sessions: sessionmaker, *, names: list[str]) -> None:
    with sessions.begin() as session:
        session.execute(update(RegisteredModel).where(RegisteredModel.name.in_(names)).values(seen_at=time.time()))


def registered_models(session: Session) -> list[RegisteredModel]:
    return list(session.scalars(select(RegisteredModel).order_by(RegisteredModel.name)))
