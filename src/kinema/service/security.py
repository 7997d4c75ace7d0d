"""Secrets at rest: argon2id for passwords, SHA-256 for high-entropy tokens (API keys, sessions, invitations).

A password is chosen by a person, so it gets a slow, salted hash (argon2id, RFC 9106, through
argon2-cffi's tuned defaults). A token is 256 random bits made here: guessing it is as hard as
inverting SHA-256, so a fast hash suffices and lets us find a key by its hash in one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_KEY_PREFIX = "sk-kinema-"
MIN_PASSWORD_CHARS = 10

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist makes a wrong e-mail cost as much time as a
# wrong password, so sign-in timing does not reveal who has an account.
DUMMY_PASSWORD_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_id(prefix: str) -> str:
    """OpenAI-style object ids: video_…, char_…"""
    return f"{prefix}_{secrets.token_hex(16)}"
