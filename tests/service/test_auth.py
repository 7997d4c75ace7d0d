"""Accounts and access through the web: invitations, sign-in with secure cookies and CSRF, keys shown
once, roles, quotas and rate limits (429 + Retry-After), and the audit log."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.service import store
from kinema.service.settings import Quota
from kinema.service.tables import AuditEvent

from .conftest import Service, make_settings


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def browser(service) -> TestClient:
    return TestClient(service.app, base_url="https://testserver", follow_redirects=False)


def sign_in(client, email, password):
    page = client.get("/signin")
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)})


def actions(service):
    with service.app.state.sessions() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_sets_secure_cookies_and_the_api_needs_csrf(service):
    client = browser(service)
    assert client.get("/").headers["location"] == "/signin"
    response = sign_in(client, "admin@example.com", "admin-password")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("kinema_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    studio = client.get("/")
    assert studio.status_code == 200 and 'id="prompt"' in studio.text
    token = csrf_of(studio.text)
    assert client.get("/v1/videos").status_code == 200  # reads need no token
    refused = client.post("/v1/videos", json={"prompt": "a ball"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert client.post("/v1/videos", json={"prompt": "a ball"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    accepted = client.post("/v1/videos", json={"prompt": "a ball"}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200


def test_wrong_password_and_sign_in_without_csrf(service):
    client = browser(service)
    response = sign_in(client, "admin@example.com", "not-the-password")
    assert response.status_code == 401 and "Wrong e-mail or password" in response.text
    assert client.post("/signin", data={"email": "admin@example.com", "password": "admin-password"}).status_code == 403
    assert actions(service)[-1] == "sign_in_failed"


def test_sign_out_ends_the_session(service):
    client = browser(service)
    sign_in(client, "admin@example.com", "admin-password")
    token = csrf_of(client.get("/").text)
    stolen = client.cookies.get("kinema_session")
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    other = browser(service)
    other.cookies.set("kinema_session", stolen)
    assert other.get("/v1/videos").status_code == 401  # the server forgot the session, not just the browser


def test_invitation_to_account_to_key(service):
    admin = browser(service)
    sign_in(admin, "admin@example.com", "admin-password")
    page = admin.get("/admin")
    assert page.status_code == 200 and "Audit log" in page.text
    created = admin.post("/admin/invitations", data={"csrf_token": csrf_of(page.text), "role": "artist", "email": "art@example.com"})
    link = re.search(r'id="invite-link">([^<]+)<', created.text).group(1)
    assert link.startswith("https://testserver/join?token=")

    artist = browser(service)
    join = artist.get(link.replace("https://testserver", ""))
    assert join.status_code == 200 and "artist" in join.text
    token = re.search(r'name="token" value="([^"]+)"', join.text).group(1)
    short = artist.post("/join", data={"csrf_token": csrf_of(join.text), "token": token, "email": "art@example.com", "password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    joined = artist.post("/join", data={"csrf_token": csrf_of(join.text), "token": token, "email": "art@example.com", "password": "a fine password", "name": "Art"})
    assert joined.status_code == 303
    again = browser(service).get(link.replace("https://testserver", ""))
    assert again.status_code == 400  # used

    keys = artist.get("/keys")
    made = artist.post("/keys", data={"csrf_token": csrf_of(keys.text), "name": "script"})
    secret = re.search(r'id="new-secret">([^<]+)<', made.text).group(1)
    assert secret.startswith("sk-kinema-")
    assert secret not in artist.get("/keys").text  # shown once
    api = TestClient(service.app, base_url="https://testserver", headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/v1/videos").status_code == 200
    assert artist.get("/admin").status_code == 403
    for expected in ("invitation_created", "user_created", "sign_in", "key_created"):
        assert expected in actions(service)


def test_admin_changes_roles_and_disables_accounts(service):
    other = service.user_client("victim@example.com")
    with service.app.state.sessions() as session:
        victim = store.get_user_by_email(session, email="victim@example.com")
    admin = browser(service)
    sign_in(admin, "admin@example.com", "admin-password")
    token = csrf_of(admin.get("/admin").text)
    assert admin.post(f"/admin/users/{victim.id}", data={"csrf_token": token, "role": "red-teamer"}).status_code == 303
    assert admin.post(f"/admin/users/{victim.id}", data={"csrf_token": token, "disabled": "1"}).status_code == 303
    assert other.get("/v1/videos").status_code == 401
    assert admin.post(f"/admin/users/{service.admin.id}", data={"csrf_token": token, "disabled": "1"}).status_code == 400


def test_quotas_answer_429_with_retry_after(tmp_path):
    quotas = {"admin": Quota(), "red-teamer": Quota(), "artist": Quota(),
              "user": Quota(videos_per_day=3, seconds_per_day=5, concurrent_jobs=2, requests_per_minute=None)}
    service = Service(make_settings(tmp_path, quotas=quotas))
    try:
        client = service.user_client("quota@example.com")
        for _ in range(2):
            assert client.post("/v1/videos", json={"prompt": "x", "seconds": 1}).status_code == 200
        busy = client.post("/v1/videos", json={"prompt": "x", "seconds": 1})
        assert busy.status_code == 429 and busy.json()["error"]["code"] == "concurrent_limit_exceeded" and int(busy.headers["retry-after"]) >= 1
        service.work()
        too_long = client.post("/v1/videos", json={"prompt": "x", "seconds": 4})
        assert too_long.status_code == 429 and "quota is 5 s" in too_long.json()["error"]["message"]
        assert client.post("/v1/videos", json={"prompt": "x", "seconds": 1}).status_code == 200
        service.work()
        over = client.post("/v1/videos", json={"prompt": "x", "seconds": 1})
        assert over.status_code == 429 and over.json()["error"]["code"] == "insufficient_quota"
        assert 86000 < int(over.headers["retry-after"]) <= 86400
    finally:
        service.close()


def test_rate_limit_answers_429_with_retry_after(tmp_path):
    quotas = {"admin": Quota(), "red-teamer": Quota(), "artist": Quota(), "user": Quota(requests_per_minute=3)}
    service = Service(make_settings(tmp_path, quotas=quotas))
    try:
        client = service.user_client("fast@example.com")
        assert [client.get("/v1/videos").status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/v1/videos")
        assert limited.status_code == 429 and limited.json()["error"]["type"] == "rate_limit_error"
        assert 1 <= int(limited.headers["retry-after"]) <= 20
        assert service.client.get("/v1/videos").status_code == 200  # the admin's own bucket
    finally:
        service.close()
