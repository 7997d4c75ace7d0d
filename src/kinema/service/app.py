"""The FastAPI application: the Videos API, the web UI, /healthz and /metrics.

`create_app(settings)` builds everything from the settings and migrates the database; it imports no
torch and no model (the worker process does that), which tests/service/test_app.py checks. The prompt
policy, which needs torch, runs in a sidecar process the app starts with itself (`moderation.py`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from kinema import __version__
from kinema.service import db, errors
from kinema.service.metrics import DatabaseCollector
from kinema.service.moderation import Moderator
from kinema.service.ratelimit import RateLimiter
from kinema.service.schemas import CreateVideoBody, EditBody, ExtendBody, RemixBody
from kinema.service.settings import Settings
from kinema.service.storage import open_storage

BODY_SCHEMAS = (CreateVideoBody, RemixBody, EditBody, ExtendBody)


def create_app(settings: Settings, *, migrate: bool = True, moderator: Moderator | None = None) -> FastAPI:
    """The app; `moderator`: a running moderation sidecar to share (tests), else the app starts its own."""
    from kinema.service.routes import health, provenance, videos, web

    engine = db.make_engine(settings.resolved_database_url)
    if migrate:
        db.upgrade(engine)
    owned = moderator is None
    moderator = moderator or Moderator.for_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if owned:
            moderator.start()  # loads while the workers load their models; requests wait for it
        yield
        if owned:
            moderator.close()
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Kinema",
        version=__version__,
        summary="Open text-to-video, compatible with OpenAI's Videos API (/v1/videos).",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.make_sessions(engine)
    app.state.storage = open_storage(settings.resolved_storage_url)
    app.state.rate_limiter = RateLimiter()
    app.state.moderator = moderator
    app.state.provenance = None  # made at the first verification (routes/provenance.py)
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(app.state.sessions))
    app.state.metrics_registry = registry

    errors.install(app)
    app.include_router(videos.router)
    app.include_router(provenance.router)
    app.include_router(health.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("kinema.service") / "web" / "static")), name="static")

    def openapi() -> dict:
        # Routes that read multipart or JSON bodies themselves reference these schemas by name.
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in BODY_SCHEMAS:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi

    return app
