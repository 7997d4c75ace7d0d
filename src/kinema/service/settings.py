"""The service's settings: one pydantic-settings class, read from `KINEMA_*` environment variables.

It refuses unsafe values instead of running with them (full-stack-fastapi-template's habit): a
secret key that is short or a known placeholder, session cookies without `Secure` on anything but a
loopback address, a lease shorter than two heartbeats (a live worker would lose its job).
`kinema serve` fills `secret_key` from `<data_dir>/secret_key`, made once with 0600 permissions, so a
fresh install is safe without anyone choosing a password.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kinema.service import ROLES
PLACEHOLDER_SECRETS = {"changethis", "changeme", "secret", "password", "kinema", "dev", "test"}
LOOPBACK_NAMES = {"localhost", "testserver"}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "kinema"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Quota(BaseModel):
    """Per-account limits; None means unlimited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    videos_per_day: int | None = None
    seconds_per_day: float | None = None
    concurrent_jobs: int | None = None
    requests_per_minute: int | None = None


DEFAULT_QUOTAS = {
    # Admins run the service; red-teamers and artists are the seed's invited testers, so they get
    # more room than ordinary users, who arrive last (BRIEF.md §9).
    "admin": Quota(),
    "red-teamer": Quota(videos_per_day=200, seconds_per_day=2400, concurrent_jobs=4, requests_per_minute=600),
    "artist": Quota(videos_per_day=100, seconds_per_day=1200, concurrent_jobs=4, requests_per_minute=300),
    "user": Quota(videos_per_day=20, seconds_per_day=240, concurrent_jobs=2, requests_per_minute=120),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINEMA_", extra="forbid", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where the SQLite database, the local video store and the generated secret live."""
    database_url: str | None = None
    """SQLAlchemy URL; default sqlite:///<data_dir>/kinema.db. PostgreSQL: postgresql+psycopg://…"""
    storage_url: str | None = None
    """Where videos go: a folder path or file:// URL (default <data_dir>/videos), or s3://bucket/prefix
    (?endpoint_url=… for S3-compatible stores; credentials from the usual AWS variables)."""
    secret_key: str = ""
    """Signs nothing by itself but keys the CSRF tokens; at least 32 characters."""

    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = True
    """Send session cookies only over HTTPS; may be off only on a loopback host (local development)."""
    session_hours: float = 24 * 7

    default_model: str = "kinema-s"
    """A model name or checkpoint folder: what `model` means when a request gives none."""
    model_aliases: Annotated[dict[str, str], NoDecode] = Field(default_factory=lambda: {"sora-2": "", "sora-2-pro": ""})
    """Other names clients may use (Sora's); an empty target means the default model.
    From the environment: KINEMA_MODEL_ALIASES="sora-2=kinema-s,sora-2-pro=/models/big"."""

    lease_seconds: float = 60.0
    """How long a claimed job is a worker's without a heartbeat; after that another worker takes it."""
    heartbeat_seconds: float = 10.0
    max_attempts: int = 3
    """Claims per job before it fails for good (a job that kills every worker must not loop forever)."""
    poll_after_ms: int = 1000
    """The `openai-poll-after-ms` hint sent with queued and in-progress videos."""
    retention_days: float | None = None
    """Delete generated files this long after completion (expires_at); None keeps them."""

    safety_config: Path | None = None
    """The safety configuration (policy thresholds, output checks, provenance keys; see
    kinema.safety.config), default <data_dir>/safety.toml. The data folder is also the safety data
    folder (installation id, local C2PA chain, fingerprint index), shared by the API, its moderation
    sidecar and the workers; workers on other machines need the same folder or the same key and chain."""
    moderation_timeout_seconds: float = 15.0
    """How long a request waits for the prompt policy (the moderation sidecar) before it is refused with
    a 503: moderation fails closed, no request is queued unread."""

    max_upload_bytes: int = 50 * 1024 * 1024
    quotas: dict[str, Quota] = Field(default_factory=lambda: dict(DEFAULT_QUOTAS))

    @model_validator(mode="before")
    @classmethod
    def _parse_aliases(cls, data):
        if isinstance(data, dict) and isinstance(data.get("model_aliases"), str):
            text = data["model_aliases"]
            pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError(f"model_aliases {text!r} is not alias=model,alias=model")
            data = {**data, "model_aliases": {a.strip(): m.strip() for a, m in pairs}}
        return data

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.secret_key.lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
            raise ValueError(
                "secret_key must be at least 32 random characters and not a placeholder "
                "(set KINEMA_SECRET_KEY, or let `kinema serve` make one in the data folder)"
            )
        if not self.cookie_secure and not is_loopback(self.host):
            raise ValueError(f"cookie_secure may be off only on a loopback host, not {self.host!r}: sessions would travel in clear")
        if self.heartbeat_seconds <= 0 or self.lease_seconds < 2 * self.heartbeat_seconds:
            raise ValueError(
                f"lease_seconds ({self.lease_seconds:g}) must be at least twice heartbeat_seconds "
                f"({self.heartbeat_seconds:g}), or a live worker loses its job between heartbeats"
            )
        if self.moderation_timeout_seconds <= 0:
            raise ValueError(f"moderation_timeout_seconds {self.moderation_timeout_seconds:g} must be positive")
        if self.safety_config is not None and not self.safety_config.is_file():
            raise ValueError(f"safety_config {str(self.safety_config)!r} is not a file")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts {self.max_attempts} must be at least 1")
        unknown = set(self.quotas) - set(ROLES)
        if unknown or set(ROLES) - set(self.quotas):
            raise ValueError(f"quotas must name exactly the roles {', '.join(ROLES)}; got {', '.join(sorted(self.quotas))}")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kinema.db'}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or str(self.data_dir / "videos")

    def alias_target(self, model: str) -> str | None:
        """The model an alias stands for (the default model for an empty target), or None if not an alias."""
        if model not in self.model_aliases:
            return None
        return self.model_aliases[model] or self.default_model


def load_secret(data_dir: Path) -> str:
    """The secret in <data_dir>/secret_key, made (0600, atomically) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        temp = path.with_name(f".secret_key.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temp, path)  # fails if another process made it first; theirs wins
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return path.read_text().strip()


def load_settings(**overrides) -> Settings:
    """Settings from the environment and `overrides`, with the secret from the data folder if none is set."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if not values.get("secret_key") and not os.environ.get("KINEMA_SECRET_KEY"):
        data_dir = Path(values.get("data_dir") or os.environ.get("KINEMA_DATA_DIR") or default_data_dir())
        values["secret_key"] = load_secret(data_dir.expanduser())
    return Settings(**values)
