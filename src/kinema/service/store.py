"""Data access: keyword-only functions over a SQLAlchemy session. Routes, the CLI and the worker
call these; none of them writes SQL of its own. The caller owns the transaction (commits or rolls
back), so one request's changes land together or not at all.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.service import security
from kinema.service.errors import APIError, bad_request
from kinema.service.settings import ROLES, Quota, Settings
from kinema.service.tables import ApiKey, AuditEvent, Character, Invitation, User, Video, WebSession

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DAY = 24 * 3600.0


# --- accounts -------------------------------------------------------------------------------------


def check_role(role: str) -> str:
    if role not in ROLES:
        raise bad_request(f"role {role!r} is not one of {', '.join(ROLES)}", param="role")
    return role


def check_password(password: str) -> str:
    if len(password) < security.MIN_PASSWORD_CHARS:
        raise bad_request(f"the password must have at least {security.MIN_PASSWORD_CHARS} characters", param="password")
    return password


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        raise bad_request(f"{email!r} is not an e-mail address", param="email")
    return email


def create_user(session: Session, *, email: str, password: str, role: str, name: str = "", invited_by: int | None = None) -> User:
    email = normalise_email(email)
    check_role(role)
    check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise APIError(409, f"an account for {email} already exists", param="email", code="account_exists")
    user = User(
        email=email, name=name.strip()[:200], password_hash=security.hash_password(password), role=role,
        disabled=False, created_at=time.time(), invited_by=invited_by,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, or None (same cost either way)."""
    user = get_user_by_email(session, email=email)
    if user is None:
        security.verify_password(security.DUMMY_PASSWORD_HASH, password)
        return None
    if not security.verify_password(user.password_hash, password) or user.disabled:
        return None
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def update_user(session: Session, *, user_id: int, role: str | None = None, disabled: bool | None = None) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise APIError(404, f"no user with id {user_id}", param="user_id", code="user_not_found")
    if role is not None:
        user.role = check_role(role)
    if disabled is not None:
        user.disabled = disabled
        if disabled:  # a disabled account is signed out everywhere and its keys stop working
            for web_session in session.scalars(select(WebSession).where(WebSession.user_id == user_id)):
                session.delete(web_session)
            for key in session.scalars(select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))):
                key.revoked_at = time.time()
    return user


def quota_for(settings: Settings, user: User) -> Quota:
    base = settings.quotas[user.role]
    return base.model_copy(update=user.quota) if user.quota else base


# --- invitations ----------------------------------------------------------------------------------


def create_invitation(
    session: Session, *, role: str, created_by: int | None, email: str | None = None, days: float = 7.0
) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once; only its hash is kept)."""
    check_role(role)
    token = security.new_token()
    now = time.time()
    invitation = Invitation(
        token_hash=security.token_hash(token), email=normalise_email(email) if email else None, role=role,
        created_by=created_by, created_at=now, expires_at=now + days * DAY,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def find_invitation(session: Session, *, token: str) -> Invitation | None:
    """The open (unused, unexpired) invitation with this token, or None."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == security.token_hash(token or "")))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < time.time():
        return None
    return invitation


def accept_invitation(session: Session, *, token: str, email: str, password: str, name: str = "") -> User:
    invitation = find_invitation(session, token=token)
    if invitation is None:
        raise APIError(400, "this invitation is unknown, used or expired; ask for a new one", param="token", code="invalid_invitation")
    email = normalise_email(email)
    if invitation.email and invitation.email != email:
        raise bad_request(f"this invitation is for {invitation.email}, not {email}", param="email")
    user = create_user(session, email=email, password=password, role=invitation.role, name=name, invited_by=invitation.created_by)
    invitation.used_at = time.time()
    invitation.used_by = user.id
    return user


def list_invitations(session: Session) -> list[Invitation]:
    return list(session.scalars(select(Invitation).order_by(Invitation.id.desc())))


# --- API keys and sessions --------------------------------------------------------------------------


def create_api_key(session: Session, *, user_id: int, name: str = "") -> tuple[ApiKey, str]:
    """A new key and its secret (shown once; only its SHA-256 is kept)."""
    secret = security.new_token(security.API_KEY_PREFIX)
    key = ApiKey(
        user_id=user_id, name=name.strip()[:200], prefix=secret[: len(security.API_KEY_PREFIX) + 4],
        key_hash=security.token_hash(secret), created_at=time.time(),
    )
    session.add(key)
    session.flush()
    return key, secret


def user_for_api_key(session: Session, *, secret: str) -> User | None:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == security.token_hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    user = session.get(User, key.user_id)
    if user is None or user.disabled:
        return None
    key.last_used_at = time.time()
    return user


def list_api_keys(session: Session, *, user_id: int) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id)))


def revoke_api_key(session: Session, *, user_id: int, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user_id:
        raise APIError(404, f"no API key with id {key_id}", param="key_id", code="key_not_found")
    key.revoked_at = key.revoked_at or time.time()
    return key


def create_web_session(session: Session, *, user_id: int, hours: float) -> str:
    token = security.new_token()
    now = time.time()
    session.add(WebSession(token_hash=security.token_hash(token), user_id=user_id, created_at=now, expires_at=now + hours * 3600))
    return token


def user_for_web_session(session: Session, *, token: str) -> User | None:
    row = session.scalar(select(WebSession).where(WebSession.token_hash == security.token_hash(token)))
    if row is None or row.expires_at < time.time():
        return None
    user = session.get(User, row.user_id)
    return None if user is None or user.disabled else user


def end_web_session(session: Session, *, token: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.token_hash == security.token_hash(token)))
    if row is not None:
        session.delete(row)


# --- audit ----------------------------------------------------------------------------------------


def audit(session: Session, *, action: str, user_id: int | None = None, target: str | None = None, detail: dict | None = None, ip: str | None = None) -> None:
    session.add(AuditEvent(at=time.time(), user_id=user_id, action=action, target=target, detail=detail or {}, ip=ip))


def list_audit(session: Session, *, limit: int = 100, action: str | None = None) -> list[tuple[AuditEvent, str | None]]:
    """Newest first, each with the acting user's e-mail."""
    query = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return [(event, email) for event, email in session.execute(query)]


# --- videos ---------------------------------------------------------------------------------------


def add_video(session: Session, **fields) -> Video:
    defaults = {"id": security.new_id("video"), "status": "queued", "progress": 0, "attempts": 0, "created_at": time.time()}
    video = Video(**{**defaults, **fields})
    session.add(video)
    session.flush()
    return video


def get_video(session: Session, *, video_id: str, owner_id: int) -> Video | None:
    """The owner's video with this id; None for another user's (so it is a 404, not a 403: ids do not leak)."""
    return session.scalar(select(Video).where(Video.id == video_id, Video.owner_id == owner_id, Video.deleted_at.is_(None)))


def list_videos(session: Session, *, owner_id: int, after: str | None = None, limit: int = 20, order: str = "desc") -> tuple[list[Video], bool]:
    """A page of the owner's videos in creation order, and whether more follow."""
    query = select(Video).where(Video.owner_id == owner_id, Video.deleted_at.is_(None))
    if after:
        anchor = session.scalar(select(Video.seq).where(Video.id == after, Video.owner_id == owner_id))
        if anchor is None:
            raise APIError(404, f"No video found with id {after!r}.", param="after", code="video_not_found")
        query = query.where(Video.seq < anchor if order == "desc" else Video.seq > anchor)
    query = query.order_by(Video.seq.desc() if order == "desc" else Video.seq.asc()).limit(limit + 1)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True)
class Usage:
    videos: int
    seconds: float
    active: int
    oldest_at: float | None
    """When the oldest video counted in the window was created (for Retry-After)."""


def usage(session: Session, *, owner_id: int, since: float) -> Usage:
    """What an account used since `since`, deleted videos included (deleting must not refund a quota)."""
    rows = session.execute(
        select(Video.seconds, Video.created_at).where(Video.owner_id == owner_id, Video.created_at >= since, Video.status != "failed")
    ).all()
    active = session.scalar(
        select(func.count()).select_from(Video).where(Video.owner_id == owner_id, Video.status.in_(("queued", "in_progress")), Video.deleted_at.is_(None))
    )
    seconds = sum(float(s) for s, _ in rows if s)
    return Usage(videos=len(rows), seconds=seconds, active=active or 0, oldest_at=min((c for _, c in rows), default=None))


def add_character(session: Session, *, owner_id: int, name: str, video_key: str) -> Character:
    character = Character(id=security.new_id("char"), owner_id=owner_id, name=name, video_key=video_key, created_at=time.time())
    session.add(character)
    session.flush()
    return character


def get_character(session: Session, *, character_id: str, owner_id: int) -> Character | None:
    return session.scalar(select(Character).where(Character.id == character_id, Character.owner_id == owner_id))
