"""Prometheus metrics, read from the database at scrape time.

Workers run in other processes (often on other machines), so counters kept in the API process's
memory would miss what they do and reset on every restart. The database already holds every job,
its status, its times and every refusal, so each scrape asks it: the figures are exact, shared by
all processes and survive restarts. The queries use the status and time columns and stay cheap.
"""

from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import sessionmaker

from kinema.service.tables import AuditEvent, RegisteredModel, Video

DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
REFUSALS = ("job_refused", "character_refused")
"""Audit actions of requests the prompt policy refused."""


class DatabaseCollector(Collector):
    def __init__(self, sessions: sessionmaker):
        self.sessions = sessions

    def collect(self):
        with self.sessions() as session:
            by_status = dict(session.execute(select(Video.status, func.count()).where(Video.deleted_at.is_(None)).group_by(Video.status)).all())
            failures = session.execute(select(Video.error_code, func.count()).where(Video.status == "failed").group_by(Video.error_code)).all()
            refusals = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(REFUSALS)))
            models = session.scalar(select(func.count()).select_from(RegisteredModel))
            duration = Video.completed_at - Video.started_at
            done = Video.status == "completed"
            row = session.execute(
                select(func.count(), func.coalesce(func.sum(duration), 0.0), *[func.sum(case((duration <= b, 1), else_=0)) for b in DURATION_BUCKETS])
                .where(done, Video.started_at.is_not(None))
            ).one()

        depth = GaugeMetricFamily("kinema_queue_depth", "Videos by status (queued ones are the queue)", labels=["status"])
        for status in ("queued", "in_progress", "completed", "failed"):
            depth.add_metric([status], by_status.get(status, 0))
        yield depth

        failed = CounterMetricFamily("kinema_jobs_failed", "Failed jobs by error code", labels=["code"])
        for code, count in failures:
            failed.add_metric([code or "unknown"], count)
        yield failed

        yield CounterMetricFamily("kinema_requests_refused", "Requests refused by the prompt policy (videos and characters)", value=refusals or 0)
        yield GaugeMetricFamily("kinema_models_registered", "Models that workers have registered", value=models or 0)

        count, total, *cumulative = row
        buckets = [(str(float(b)), int(c or 0)) for b, c in zip(DURATION_BUCKETS, cumulative)] + [("+Inf", int(count))]
        histogram = HistogramMetricFamily("kinema_job_duration_seconds", "Time from a job's first claim to its completion")
        histogram.add_metric([], buckets, sum_value=float(total or 0.0))
        yield histogram
