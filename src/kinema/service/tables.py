"""The database tables (SQLAlchemy 2 declarative): accounts, access, videos (which are the jobs), audit.

Times are Unix seconds as floats: OpenAI's objects carry integer seconds, and leases need fractions.
A video row is its own job: the queue columns (lease_token, lease_expires_at, worker_id, attempts)
live beside the public ones, so accepting a request and queueing it is one INSERT in one transaction.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Stored lower-case; sign-in compares lower-case."""
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    quota: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """Per-account overrides of the role's Quota fields."""


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    """If set, only this address may accept."""
    role: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(32))
    """The key's first characters, shown in listings so a person can tell keys apart."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[float] = mapped_column(Float)
    last_used_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_queue", "status", "engine_model", "seq"),
        Index("ix_videos_owner", "owner_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    """Creation order: lists and the queue sort by it (created_at ties within a second)."""
    id: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    """queued | in_progress | completed | failed (OpenAI's four)."""
    progress: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(String(200))
    """The name the client asked for (e.g. sora-2), echoed back as OpenAI does."""
    engine_model: Mapped[str] = mapped_column(String(200))
    """The registered model that runs it."""
    mode: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON)
    """Every VideoRequest field beyond prompt and mode, defaults filled in, seed drawn at accept time
    so a job re-run after a crash makes the same video."""
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    """Storage keys of uploaded inputs: input_reference, source_video, target_video."""
    size: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[str] = mapped_column(String(20))
    remixed_from_video_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_video_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    outputs: Mapped[dict] = mapped_column(JSON, default=dict)
    """Storage keys of the finished files: video, thumbnail, spritesheet."""
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """The engine's metadata (seed, frames, timings …)."""
    created_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    completed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    deleted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Deleted videos keep their row (quotas count them, audit refers to them) but lose their files."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Fencing token: a worker may report on a job only while its token is the job's."""
    lease_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Character(Base):
    __tablename__ = "characters"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    video_key: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[float] = mapped_column(Float)


class RegisteredModel(Base):
    """A model some worker serves, with its capabilities, so the API (which loads no model) can check requests."""

    __tablename__ = "models"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    """What the worker was given: a model name or a checkpoint folder."""
    engine: Mapped[str] = mapped_column(String(50))
    capabilities: Mapped[dict] = mapped_column(JSON)
    seen_at: Mapped[float] = mapped_column(Float)
    """Last time a worker serving it said so (workers refresh it with their heartbeats)."""


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    """sign_in, sign_in_failed, sign_out, user_created, invitation_created, key_created, key_revoked,
    job_created, job_refused, job_completed, job_failed, video_deleted, …"""
    target: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
