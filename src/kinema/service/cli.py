"""`kinema serve`, `kinema worker` and `kinema admin …`: the service's commands, added to `kinema`'s CLI.

Every command reads the same settings (KINEMA_* variables, then these flags). The account commands
need no server: they open the database directly, so the first admin can be made before anything runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

from kinema.service import ROLES


def add_commands(commands) -> None:
    """Add serve, worker and admin to the `kinema` subparsers."""
    serve = commands.add_parser("serve", help="run the Videos API, the web UI and workers")
    _common(serve)
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes to run beside the API (default 1; 0 for API only)")
    serve.add_argument("--insecure-cookies", action="store_true", help="send session cookies over plain HTTP (loopback hosts only)")

    worker = commands.add_parser("worker", help="run a worker against the service's database and storage")
    _common(worker)
    worker.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)

    admin = commands.add_parser("admin", help="manage accounts: users, invitations, API keys, the audit log")
    admin.add_argument("--data-dir", type=Path, help="the service's data folder")
    admin.add_argument("--database-url", help="SQLAlchemy URL of the service's database")
    actions = admin.add_subparsers(dest="action", required=True, parser_class=type(admin))
    create = actions.add_parser("create-user", help="make an account (the first admin, say); reads the password from stdin or asks")
    create.add_argument("email")
    create.add_argument("--role", default="admin", choices=ROLES)
    create.add_argument("--name", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    invite = actions.add_parser("invite", help="make an invitation and print its token (and link with --base-url)")
    invite.add_argument("--role", default="user", choices=ROLES)
    invite.add_argument("--email", help="only this address may accept")
    invite.add_argument("--days", type=float, default=7.0, help="valid for this many days (default 7)")
    invite.add_argument("--base-url", help="the service's public URL, to print a join link")
    actions.add_parser("users", help="list accounts")
    role = actions.add_parser("set-role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    disable = actions.add_parser("disable", help="disable an account (signs it out, revokes its keys)")
    disable.add_argument("email")
    quota = actions.add_parser("set-quota", help="override an account's quota (its role's otherwise); 'none' means unlimited, 'role' its role's")
    quota.add_argument("email")
    for field in ("videos-per-day", "seconds-per-day", "concurrent-jobs", "requests-per-minute"):
        quota.add_argument(f"--{field}", metavar="N|none|role")
    key = actions.add_parser("create-key", help="make an API key for an account and print it (once)")
    key.add_argument("email")
    key.add_argument("--name", default="")
    audit = actions.add_parser("audit", help="print the audit log, newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--only", metavar="ACTION", help="only this action (sign_in, job_created, job_refused, …)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", help="model name or checkpoint folder to serve (repeatable; default kinema-s)")
    parser.add_argument("--device", default="cpu", help="torch device for the workers, e.g. cpu or cuda")
    parser.add_argument("--data-dir", type=Path, help="where the database, local videos and secret live (default ~/.local/share/kinema)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in the data folder), e.g. postgresql://user@host/kinema")
    parser.add_argument("--storage-url", help="folder or s3://bucket/prefix for videos (default: <data folder>/videos)")


def _settings(args: argparse.Namespace, **extra):
    from kinema.service.settings import load_settings

    overrides = {"data_dir": getattr(args, "data_dir", None), "database_url": getattr(args, "database_url", None),
                 "storage_url": getattr(args, "storage_url", None), **extra}
    models = getattr(args, "model", None)
    if models:
        overrides["default_model"] = models[0]
    try:
        return load_settings(**overrides)
    except ValueError as error:  # pydantic's ValidationError: one line per problem, no traceback
        from kinema.cli import UsageError

        raise UsageError(f"bad settings: {error}".replace("\n", " ")) from None


def _check_safety(settings) -> None:
    """A bad safety.toml is a usage error before anything starts (the sidecar and workers read it too)."""
    from kinema.cli import UsageError
    from kinema.safety.config import ConfigError
    from kinema.service import hooks

    try:
        hooks.safety_config(settings)
    except ConfigError as error:
        raise UsageError(f"bad safety configuration: {error}") from None


def cmd_serve(args: argparse.Namespace) -> int:
    from kinema.cli import UsageError
    from kinema.service import serve

    if args.workers < 0:
        raise UsageError(f"--workers {args.workers} must be 0 or more")
    extra = {"host": args.host, "port": args.port}
    if args.insecure_cookies:
        extra["cookie_secure"] = False
    settings = _settings(args, **extra)
    _check_safety(settings)
    return serve.run(settings, models=args.model or [settings.default_model], workers=args.workers, device=args.device)


def cmd_worker(args: argparse.Namespace) -> int:
    from kinema.service import worker

    settings = _settings(args)
    _check_safety(settings)
    return worker.main(settings, args.model or [settings.default_model], device=args.device, parent_pid=args.parent_pid)


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        from kinema.cli import UsageError

        raise UsageError("the passwords differ")
    return first


def cmd_admin(args: argparse.Namespace) -> int:
    from kinema.cli import UsageError
    from kinema.service import db, store
    from kinema.service.errors import APIError

    settings = _settings(args)
    engine = db.make_engine(settings.resolved_database_url)
    db.upgrade(engine)
    sessions = db.make_sessions(engine)
    try:
        with sessions() as session:
            return _admin_action(args, session, store, settings)
    except APIError as error:
        raise UsageError(error.message) from None
    finally:
        engine.dispose()


def _user(session, store, email: str):
    from kinema.cli import UsageError

    user = store.get_user_by_email(session, email=email)
    if user is None:
        raise UsageError(f"no account for {email}")
    return user


def _admin_action(args, session, store, settings) -> int:
    from kinema.cli import UsageError

    if args.action == "create-user":
        user = store.create_user(session, email=args.email, password=_read_password(args), role=args.role, name=args.name)
        store.audit(session, action="user_created", user_id=user.id, detail={"role": user.role, "via": "cli"})
        session.commit()
        print(f"created {user.role} {user.email}")
    elif args.action == "invite":
        invitation, token = store.create_invitation(session, role=args.role, email=args.email, created_by=None, days=args.days)
        store.audit(session, action="invitation_created", detail={"role": args.role, "email": args.email, "via": "cli"})
        session.commit()
        print(f"{args.base_url.rstrip('/')}/join?token={token}" if args.base_url else token)
    elif args.action == "users":
        for user in store.list_users(session):
            state = " (disabled)" if user.disabled else ""
            print(f"{user.id}\t{user.email}\t{user.role}{state}\t{user.name}")
    elif args.action == "set-role":
        user = store.update_user(session, user_id=_user(session, store, args.email).id, role=args.role)
        store.audit(session, action="user_updated", target=user.email, detail={"role": user.role, "via": "cli"})
        session.commit()
        print(f"{user.email} is now {user.role}")
    elif args.action == "disable":
        user = store.update_user(session, user_id=_user(session, store, args.email).id, disabled=True)
        store.audit(session, action="user_updated", target=user.email, detail={"disabled": True, "via": "cli"})
        session.commit()
        print(f"disabled {user.email}")
    elif args.action == "set-quota":
        user = _user(session, store, args.email)
        overrides = dict(user.quota or {})
        for field in ("videos_per_day", "seconds_per_day", "concurrent_jobs", "requests_per_minute"):
            value = getattr(args, field)
            if value is None:
                continue
            if value == "role":
                overrides.pop(field, None)
                continue
            try:
                overrides[field] = None if value == "none" else (float(value) if field == "seconds_per_day" else int(value))
            except ValueError:
                raise UsageError(f"--{field.replace('_', '-')} {value!r} is not a number, 'none' or 'role'") from None
            if overrides[field] is not None and overrides[field] < 0:
                raise UsageError(f"--{field.replace('_', '-')} {value} must not be negative")
        user.quota = overrides or None
        store.audit(session, action="user_updated", target=user.email, detail={"quota": overrides, "via": "cli"})
        session.commit()
        print(f"{user.email}: {store.quota_for(settings, user).model_dump()}")
    elif args.action == "create-key":
        user = _user(session, store, args.email)
        key, secret = store.create_api_key(session, user_id=user.id, name=args.name)
        store.audit(session, action="key_created", user_id=user.id, target=key.prefix, detail={"via": "cli"})
        session.commit()
        print(secret)
    elif args.action == "audit":
        for event, email in store.list_audit(session, limit=args.limit, action=args.only):
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(event.at))
            print(f"{stamp}\t{email or '-'}\t{event.action}\t{event.target or ''}\t{json.dumps(event.detail) if event.detail else ''}")
    return 0


COMMANDS = {"serve": cmd_serve, "worker": cmd_worker, "admin": cmd_admin}
