"""Operations: /healthz for load balancers and supervisors, /metrics for Prometheus."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from kinema.service import queue

router = APIRouter(tags=["operations"])

MODEL_FRESH_SECONDS = 120


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers; lists the models live workers serve, the prompt moderation's state
    (ready, starting, failed) and the queue's depth."""
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
            models = queue.registered_models(session)
            depth = queue.depth(session)
            session.commit()
    except Exception as error:  # any database failure means unhealthy, whatever its type
        return JSONResponse({"status": "error", "database": f"{type(error).__name__}: {error}"}, status_code=503)
    now = time.time()
    return JSONResponse({
        "status": "ok",
        "database": "ok",
        "models": [{"name": m.name, "engine": m.engine, "live": now - m.seen_at < MODEL_FRESH_SECONDS} for m in models],
        "moderation": request.app.state.moderator.state(),
        "queue": depth,
    })


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
