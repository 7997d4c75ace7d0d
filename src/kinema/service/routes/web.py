"""The web UI: server-rendered pages (Jinja2) for signing in, the studio, API keys and administration.

The studio's prompt box, queue and gallery are a little JavaScript (static/app.js) over the same
Videos API, authenticated by the session cookie plus the CSRF token the page embeds. Forms here post
back with that token too. Routes are plain `def`s taking `Form` fields, so FastAPI parses the form
on the event loop and runs the route, with its database calls, in the thread pool.
"""

from __future__ import annotations

import time
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from kinema.service import queue, store
from kinema.service.auth import CSRF_COOKIE, SESSION_COOKIE, OptionalUser, SessionDep, check_csrf, client_ip, csrf_token, set_cookie
from kinema.service.errors import APIError
from kinema.service.ratelimit import retry_after_header
from kinema.service.settings import ROLES
from kinema.service.tables import User

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("kinema.service") / "web" / "templates"))
SIGN_IN_PER_MINUTE = 10


def when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp)) + " UTC" if timestamp else "—"


templates.env.filters["when"] = when


def page(request: Request, name: str, user: User | None, status_code: int = 200, **context) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request), **context}, status_code=status_code)
    csrf_token(request, response)  # sets the cookie on a first visit
    return response


Field = Annotated[str, Form()]


def signed_in(user: OptionalUser) -> User:
    if user is None:
        raise APIError(401, "sign in first", code="not_signed_in")
    return user


SignedIn = Annotated[User, Depends(signed_in)]


def to_signin() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


def start_session(request: Request, session, user: User, target: str = "/") -> RedirectResponse:
    settings = request.app.state.settings
    token = store.create_web_session(session, user_id=user.id, hours=settings.session_hours)
    store.audit(session, action="sign_in", user_id=user.id, ip=client_ip(request))
    session.commit()
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600))
    response.delete_cookie(CSRF_COOKIE, path="/")  # a fresh CSRF token per session
    return response


@router.get("/", response_class=HTMLResponse)
def studio(request: Request, user: OptionalUser, session: SessionDep) -> Response:
    if user is None:
        return to_signin()
    models = queue.registered_models(session)
    aliases = sorted(request.app.state.settings.model_aliases)
    return page(request, "studio.html", user, models=[m.name for m in models] + aliases, default_model=request.app.state.settings.default_model)


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, "signin.html", None)


@router.post("/signin")
def signin(request: Request, session: SessionDep, email: Field = "", password: Field = "", csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    wait = request.app.state.rate_limiter.take(("signin", client_ip(request)), SIGN_IN_PER_MINUTE)
    if wait:
        raise APIError(429, f"too many sign-in attempts; try again in {wait:.0f} s", code="rate_limit_exceeded", headers=retry_after_header(wait))
    user = store.authenticate(session, email=email, password=password)
    if user is None:
        store.audit(session, action="sign_in_failed", detail={"email": email[:320]}, ip=client_ip(request))
        session.commit()
        return page(request, "signin.html", None, status_code=401, error="Wrong e-mail or password.", email=email)
    return start_session(request, session, user)


@router.post("/signout")
def signout(request: Request, user: OptionalUser, session: SessionDep, csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        store.end_web_session(session, token=token)
        if user is not None:
            store.audit(session, action="sign_out", user_id=user.id, ip=client_ip(request))
        session.commit()
    response = to_signin()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/join", response_class=HTMLResponse)
def join_page(request: Request, session: SessionDep, token: str = "") -> Response:
    invitation = store.find_invitation(session, token=token)
    if invitation is None:
        return page(request, "join.html", None, status_code=400, error="This invitation is unknown, used or expired. Ask for a new one.", token="")
    return page(request, "join.html", None, token=token, email=invitation.email or "", role=invitation.role)


@router.post("/join")
def join(request: Request, session: SessionDep, token: Field = "", email: Field = "", password: Field = "", name: Field = "", csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        user = store.accept_invitation(session, token=token, email=email, password=password, name=name)
    except APIError as error:
        session.rollback()
        return page(request, "join.html", None, status_code=error.status, error=error.message, token=token, email=email)
    store.audit(session, action="user_created", user_id=user.id, detail={"role": user.role, "via": "invitation"}, ip=client_ip(request))
    return start_session(request, session, user)


@router.get("/keys", response_class=HTMLResponse)
def keys_page(request: Request, user: OptionalUser, session: SessionDep) -> Response:
    if user is None:
        return to_signin()
    return page(request, "keys.html", user, keys=store.list_api_keys(session, user_id=user.id))


@router.post("/keys", response_class=HTMLResponse)
def create_key(request: Request, user: SignedIn, session: SessionDep, name: Field = "", csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    key, secret = store.create_api_key(session, user_id=user.id, name=name)
    store.audit(session, action="key_created", user_id=user.id, target=key.prefix, ip=client_ip(request))
    session.commit()
    return page(request, "keys.html", user, keys=store.list_api_keys(session, user_id=user.id), new_secret=secret)


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: int, user: SignedIn, session: SessionDep, csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    key = store.revoke_api_key(session, user_id=user.id, key_id=key_id)
    store.audit(session, action="key_revoked", user_id=user.id, target=key.prefix, ip=client_ip(request))
    session.commit()
    return RedirectResponse("/keys", status_code=303)


def admin_only(user: OptionalUser) -> User:
    if user is None or user.role != "admin":
        raise APIError(403 if user else 401, "this page needs the admin role", code="forbidden")
    return user


Admin = Annotated[User, Depends(admin_only)]


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: OptionalUser, session: SessionDep) -> Response:
    if user is None:
        return to_signin()
    return admin_view(request, admin_only(user), session)


def admin_view(request: Request, user: User, session, **extra) -> HTMLResponse:
    return page(
        request, "admin.html", user, users=store.list_users(session), invitations=store.list_invitations(session)[:50],
        audit=store.list_audit(session, limit=200), roles=ROLES, now=time.time(), **extra,
    )


@router.post("/admin/invitations", response_class=HTMLResponse)
def admin_invite(request: Request, user: Admin, session: SessionDep, role: Field = "user", email: Field = "", csrf_token: Field = "") -> Response:
    check_csrf(request, csrf_token)
    invitation, token = store.create_invitation(session, role=role, email=email or None, created_by=user.id)
    store.audit(session, action="invitation_created", user_id=user.id, detail={"role": invitation.role, "email": invitation.email}, ip=client_ip(request))
    session.commit()
    link = str(request.url_for("join_page").include_query_params(token=token))
    return admin_view(request, user, session, new_link=link)


@router.post("/admin/users/{user_id}")
def admin_update_user(
    request: Request, user_id: int, user: Admin, session: SessionDep, role: Field = "", disabled: Field = "", csrf_token: Field = ""
) -> Response:
    check_csrf(request, csrf_token)
    if user_id == user.id and (disabled == "1" or role not in ("", "admin")):
        raise APIError(400, "you cannot demote or disable your own account (another admin can)", code="self_demotion")
    changed = store.update_user(session, user_id=user_id, role=role or None, disabled={"1": True, "0": False}.get(disabled))
    store.audit(session, action="user_updated", user_id=user.id, target=changed.email, detail={"role": changed.role, "disabled": changed.disabled}, ip=client_ip(request))
    session.commit()
    return RedirectResponse("/admin", status_code=303)
