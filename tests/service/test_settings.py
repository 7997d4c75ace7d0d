"""Settings refuse unsafe values, parse aliases from the environment, and make a secret once."""

import stat

import pytest
from pydantic import ValidationError

from kinema.service.settings import Settings, load_secret, load_settings

GOOD = "k" * 40


@pytest.mark.parametrize(
    "values, words",
    [
        ({"secret_key": ""}, "secret_key must be at least 32"),
        ({"secret_key": "short"}, "secret_key must be at least 32"),
        ({"secret_key": "changethis"}, "placeholder"),
        ({"secret_key": GOOD, "cookie_secure": False, "host": "0.0.0.0"}, "cookie_secure may be off only on a loopback host"),
        ({"secret_key": GOOD, "lease_seconds": 10, "heartbeat_seconds": 8}, "at least twice heartbeat_seconds"),
        ({"secret_key": GOOD, "max_attempts": 0}, "max_attempts 0"),
        ({"secret_key": GOOD, "quotas": {"admin": {}}}, "quotas must name exactly the roles"),
        ({"secret_key": GOOD, "typo_field": 1}, "Extra inputs are not permitted"),
    ],
)
def test_unsafe_or_unknown_values_are_refused(values, words):
    with pytest.raises(ValidationError, match=words):
        Settings(**values)


def test_insecure_cookies_allowed_on_loopback():
    assert Settings(secret_key=GOOD, cookie_secure=False, host="127.0.0.1").cookie_secure is False
    assert Settings(secret_key=GOOD, cookie_secure=False, host="localhost").cookie_secure is False


def test_aliases_from_the_environment(monkeypatch):
    monkeypatch.setenv("KINEMA_SECRET_KEY", GOOD)
    monkeypatch.setenv("KINEMA_MODEL_ALIASES", "sora-2=kinema-s, sora-2-pro=/models/big")
    monkeypatch.setenv("KINEMA_DEFAULT_MODEL", "kinema-s")
    settings = Settings()
    assert settings.model_aliases == {"sora-2": "kinema-s", "sora-2-pro": "/models/big"}
    assert settings.alias_target("sora-2-pro") == "/models/big"
    assert settings.alias_target("kinema-s") is None


def test_empty_alias_means_the_default_model():
    settings = Settings(secret_key=GOOD, default_model="/ckpt/tiny")
    assert settings.alias_target("sora-2") == "/ckpt/tiny"


def test_secret_is_made_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("KINEMA_SECRET_KEY", raising=False)
    first = load_secret(tmp_path)
    assert len(first) >= 32 and load_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_settings(data_dir=tmp_path).secret_key == first
