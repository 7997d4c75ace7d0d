"""Accounts, invitations, keys, sessions and video listing, against SQLite and PostgreSQL."""

import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from kinema.service import security, store
from kinema.service.errors import APIError
from kinema.service.tables import ApiKey, Base, Video


def test_migrations_build_exactly_the_tables(sessions):
    with sessions() as session:
        context = MigrationContext.configure(session.connection())
        assert compare_metadata(context, Base.metadata) == []


def test_passwords_are_hashed_with_argon2_and_checked(sessions):
    with sessions() as session:
        user = store.create_user(session, email="Ada@Example.com ", password="correct horse", role="artist")
        session.commit()
        assert user.email == "ada@example.com"
        assert user.password_hash.startswith("$argon2id$") and "correct horse" not in user.password_hash
        assert store.authenticate(session, email="ADA@example.com", password="correct horse").id == user.id
        assert store.authenticate(session, email="ada@example.com", password="wrong horse!") is None
        assert store.authenticate(session, email="nobody@example.com", password="correct horse") is None


@pytest.mark.parametrize(
    "email, password, role, code",
    [
        ("not-an-email", "long enough pw", "user", "invalid_value"),
        ("a@example.com", "short", "user", "invalid_value"),
        ("a@example.com", "long enough pw", "emperor", "invalid_value"),
    ],
)
def test_bad_accounts_are_refused(sessions, email, password, role, code):
    with sessions() as session, pytest.raises(APIError) as error:
        store.create_user(session, email=email, password=password, role=role)
    assert error.value.status == 400 and error.value.code == code


def test_duplicate_email_is_a_conflict(sessions):
    with sessions() as session:
        store.create_user(session, email="a@example.com", password="long enough pw", role="user")
        with pytest.raises(APIError) as error:
            store.create_user(session, email="A@example.com", password="long enough pw", role="user")
    assert error.value.status == 409


def test_invitation_is_single_use_and_bound_to_its_email(sessions):
    with sessions() as session:
        invitation, token = store.create_invitation(session, role="red-teamer", created_by=None, email="rt@example.com")
        session.commit()
        assert invitation.token_hash == security.token_hash(token) and token not in invitation.token_hash
        with pytest.raises(APIError, match="this invitation is for rt@example.com"):
            store.accept_invitation(session, token=token, email="other@example.com", password="long enough pw")
        user = store.accept_invitation(session, token=token, email="rt@example.com", password="long enough pw")
        session.commit()
        assert user.role == "red-teamer"
        with pytest.raises(APIError, match="unknown, used or expired"):
            store.accept_invitation(session, token=token, email="rt@example.com", password="long enough pw")


def test_expired_invitation_is_refused(sessions):
    with sessions() as session:
        invitation, token = store.create_invitation(session, role="user", created_by=None)
        invitation.expires_at = time.time() - 1
        session.commit()
        assert store.find_invitation(session, token=token) is None


def test_api_keys_are_stored_hashed_and_can_be_revoked(sessions):
    with sessions() as session:
        user = store.create_user(session, email="k@example.com", password="long enough pw", role="user")
        key, secret = store.create_api_key(session, user_id=user.id, name="laptop")
        session.commit()
        stored = session.scalar(select(ApiKey).where(ApiKey.id == key.id))
        assert secret.startswith("sk-kinema-") and secret not in (stored.key_hash, stored.prefix)
        assert store.user_for_api_key(session, secret=secret).id == user.id
        assert store.user_for_api_key(session, secret=secret + "x") is None
        store.revoke_api_key(session, user_id=user.id, key_id=key.id)
        session.commit()
        assert store.user_for_api_key(session, secret=secret) is None


def test_disabling_a_user_ends_sessions_and_keys(sessions):
    with sessions() as session:
        user = store.create_user(session, email="d@example.com", password="long enough pw", role="user")
        _, secret = store.create_api_key(session, user_id=user.id)
        token = store.create_web_session(session, user_id=user.id, hours=1)
        session.commit()
        assert store.user_for_web_session(session, token=token).id == user.id
        store.update_user(session, user_id=user.id, disabled=True)
        session.commit()
        assert store.user_for_web_session(session, token=token) is None
        assert store.user_for_api_key(session, secret=secret) is None
        assert store.authenticate(session, email="d@example.com", password="long enough pw") is None


def add(session, owner_id, **fields):
    values = dict(model="m", engine_model="m", mode="text-to-video", prompt="p", params={}, inputs={}, size="64x64", seconds="1", outputs={})
    values.update(fields)
    return store.add_video(session, owner_id=owner_id, **values)


def test_videos_are_listed_per_owner_with_cursor_pages(sessions):
    with sessions() as session:
        a = store.create_user(session, email="a@example.com", password="long enough pw", role="user")
        b = store.create_user(session, email="b@example.com", password="long enough pw", role="user")
        mine = [add(session, a.id).id for _ in range(5)]
        theirs = add(session, b.id).id
        session.commit()
        page, more = store.list_videos(session, owner_id=a.id, limit=2)
        assert [v.id for v in page] == mine[::-1][:2] and more
        page, more = store.list_videos(session, owner_id=a.id, after=page[-1].id, limit=10)
        assert [v.id for v in page] == mine[::-1][2:] and not more
        page, _ = store.list_videos(session, owner_id=a.id, order="asc", limit=3)
        assert [v.id for v in page] == mine[:3]
        assert store.get_video(session, video_id=theirs, owner_id=a.id) is None
        with pytest.raises(APIError) as error:
            store.list_videos(session, owner_id=a.id, after=theirs)
        assert error.value.status == 404


def test_usage_counts_deleted_videos_but_not_failed_ones(sessions):
    with sessions() as session:
        user = store.create_user(session, email="u@example.com", password="long enough pw", role="user")
        add(session, user.id, seconds="4")
        add(session, user.id, seconds="2", deleted_at=time.time(), status="completed")
        add(session, user.id, seconds="8", status="failed")
        session.commit()
        used = store.usage(session, owner_id=user.id, since=time.time() - 60)
        assert (used.videos, used.seconds, used.active) == (2, 6.0, 1)
        assert session.scalar(select(Video.status).where(Video.seconds == "4")) == "queued"
