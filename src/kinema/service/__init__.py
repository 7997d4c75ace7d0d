"""Kinema as a service: Sora's Videos API, durable jobs, invitation-only accounts and a web UI.

The API process (`app.py`) never imports torch, the engines or the models; only the worker
(`worker.py`) does, lazily, when it loads a model.
"""

ROLES = ("admin", "red-teamer", "artist", "user")
"""Who may sign in (BRIEF.md §9: access starts with invited red-teamers and artists; users come later)."""
