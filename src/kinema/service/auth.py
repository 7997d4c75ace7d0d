"""Who is asking: an API key (`Authorization: Bearer sk-kinema-…`) or a signed-in browser session.

Browser sessions are a random token in an HttpOnly, Secure, SameSite=Lax cookie, stored hashed
server-side (so signing out, or disabling an account, ends them at once). Requests a browser sends
with that cookie that change something must carry a CSRF token — the double-submit pattern (OWASP
CSRF cheat sheet): the page embeds the value of a second HttpOnly cookie, and the request must echo
it in `X-CSRF-Token` or a `csrf_token` form field. Another site can make the browser send the
cookies but cannot read the value to echo. API-key requests carry no cookies and need no token.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from kinema.service import store
from kinema.service.errors import APIError
from kinema.service.ratelimit import retry_after_header
from kinema.service.security import same
from kinema.service.tables import User

SESSION_COOKIE = "kinema_session"
CSRF_COOKIE = "kinema_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def csrf_token(request: Request, response: Response | None = None) -> str:
    """The request's CSRF token, setting the cookie on `response` when the browser has none yet."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
        if response is not None:
            set_cookie(request, response, CSRF_COOKIE, token, samesite="strict")
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not same(expected, submitted):
        raise APIError(403, "missing or wrong CSRF token; reload the page and try again", code="csrf_failed")


def set_cookie(request: Request, response: Response, name: str, value: str, *, samesite: str = "lax", max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite=samesite,
        secure=request.app.state.settings.cookie_secure,
    )


def _user_from_key(request: Request, session: Session, header: str) -> User:
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise APIError(401, "the Authorization header must be `Bearer <API key>`", code="invalid_api_key")
    user = store.user_for_api_key(session, secret=secret)
    if user is None:
        shown = f"{secret[:10]}…{secret[-4:]}" if len(secret) > 16 else "…"
        raise APIError(401, f"Incorrect or revoked API key provided: {shown}.", code="invalid_api_key")
    return user


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in browser user, or None (web pages redirect to sign-in instead of failing)."""
    token = request.cookies.get(SESSION_COOKIE)
    user = store.user_for_web_session(session, token=token) if token else None
    session.commit()  # end the transaction: on SQLite it holds the write lock (db.py)
    return user


def current_user(request: Request, session: SessionDep) -> User:
    """The caller, by API key or session cookie (with CSRF on unsafe methods), within its rate limit."""
    header = request.headers.get("authorization")
    if header:
        user = _user_from_key(request, session, header)
        session.commit()  # last_used_at; and ends the transaction before the body is read
    else:
        token = request.cookies.get(SESSION_COOKIE)
        user = store.user_for_web_session(session, token=token) if token else None
        if user is None:
            raise APIError(
                401,
                "You didn't provide an API key. Provide it in an Authorization header (Authorization: Bearer YOUR_KEY), or sign in.",
                code="missing_api_key",
            )
        session.commit()
        if request.method not in SAFE_METHODS:
            check_csrf(request, request.headers.get(CSRF_HEADER))
    settings = request.app.state.settings
    wait = request.app.state.rate_limiter.take(user.id, store.quota_for(settings, user).requests_per_minute)
    if wait:
        raise APIError(429, f"Rate limit reached for {user.email}: too many requests; retry in {wait:.1f} s.", code="rate_limit_exceeded", headers=retry_after_header(wait))
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise APIError(403, "this needs the admin role", code="forbidden")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
