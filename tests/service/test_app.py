"""The API process stays light (no torch, no engines, no models), and the service's CLI commands work."""

import json
import subprocess
import sys

import pytest

from kinema.cli import main

HEAVY = ("torch", "kinema.engines.native", "kinema.models", "kinema.checkpoint", "kinema.diffusion", "transformers")


def test_the_api_process_imports_no_torch(tmp_path):
    """Not when it starts, nor when it verifies a video (the prompt policy's torch is in the sidecar)."""
    code = f"""
import sys, json
import numpy as np
from kinema.cli import build_parser
build_parser()
from kinema.service.app import create_app
from kinema.service.settings import Settings
settings = Settings(secret_key="s" * 40, data_dir={str(tmp_path)!r})
create_app(settings)
import kinema.service.serve, kinema.service.routes.videos, kinema.service.moderation
from kinema.service import hooks
from kinema.video import write_video
path = write_video({str(tmp_path / "v.mp4")!r}, np.zeros((8, 64, 64, 3), np.uint8), 8)
assert hooks.verify(path, hooks.provenance(settings))["verdict"] == "not made here"
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules or any(k.startswith(m + ".") for k in sys.modules)]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_admin_commands(tmp_path, capsys, monkeypatch):
    data = ["--data-dir", str(tmp_path)]
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long password\n"))
    assert run(capsys, "admin", *data, "create-user", "root@example.com", "--password-stdin")[1] == "created admin root@example.com\n"
    code, out, _ = run(capsys, "admin", *data, "invite", "--role", "artist", "--base-url", "https://kinema.example/")
    assert code == 0 and out.startswith("https://kinema.example/join?token=")
    code, key, _ = run(capsys, "admin", *data, "create-key", "root@example.com", "--name", "ci")
    assert key.startswith("sk-kinema-")
    assert run(capsys, "admin", *data, "set-role", "root@example.com", "red-teamer")[1] == "root@example.com is now red-teamer\n"
    assert "root@example.com\tred-teamer" in run(capsys, "admin", *data, "users")[1]
    code, out, _ = run(capsys, "admin", *data, "set-quota", "root@example.com", "--videos-per-day", "5", "--concurrent-jobs", "none")
    assert code == 0 and "'videos_per_day': 5" in out and "'concurrent_jobs': None" in out and "'seconds_per_day': 2400.0" in out
    code, _, err = run(capsys, "admin", *data, "set-quota", "root@example.com", "--videos-per-day", "lots")
    assert code == 2 and "--videos-per-day 'lots' is not a number" in err
    audit = run(capsys, "admin", *data, "audit")[1]
    for action in ("user_created", "invitation_created", "key_created", "user_updated"):
        assert action in audit
    assert run(capsys, "admin", *data, "audit", "--only", "key_created")[1].count("\n") == 1


@pytest.mark.parametrize(
    "args, words",
    [
        (["admin", "--data-dir", "{data}", "create-user", "not-an-email", "--password-stdin"], "'not-an-email' is not an e-mail address"),
        (["admin", "--data-dir", "{data}", "create-key", "ghost@example.com"], "no account for ghost@example.com"),
        (["admin", "--data-dir", "{data}", "invite", "--role", "emperor"], "invalid choice: 'emperor'"),
        (["serve", "--data-dir", "{data}", "--workers", "-1"], "--workers -1 must be 0 or more"),
    ],
)
def test_admin_mistakes_are_one_line(tmp_path, capsys, monkeypatch, args, words):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long password\n"))
    code, _, err = run(capsys, *[a.replace("{data}", str(tmp_path)) for a in args])
    assert code == 2 and err.startswith("kinema: error:") and err.count("\n") == 1 and words in err


def test_unsafe_settings_are_refused_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KINEMA_SECRET_KEY", "changethis")
    code, _, err = run(capsys, "admin", "--data-dir", str(tmp_path), "users")
    assert code == 2 and "secret_key must be at least 32" in err and err.count("\n") == 1


def test_a_bad_safety_configuration_stops_serve_and_worker_before_they_start(tmp_path, capsys):
    (tmp_path / "safety.toml").write_text("[policy]\nthresholds = { violence = 7 }\n")
    for command in ("serve", "worker"):
        code, _, err = run(capsys, command, "--data-dir", str(tmp_path))
        assert code == 2 and "bad safety configuration" in err and "thresholds.violence is 7" in err and err.count("\n") == 1
