"""Per-account request rate limits: a token bucket per account, in the API process's memory.

A bucket holds up to `per_minute` requests and refills at per_minute/60 a second, so short bursts
pass and a steady flood is held to the limit. A refused request learns, in Retry-After, when the
next token arrives. (Quotas — videos and seconds per day, concurrent jobs — live in the database and
survive restarts; a rate limit need not, and in memory it costs nothing per request.)
"""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.buckets: dict[object, tuple[float, float]] = {}  # key → (tokens, last refill time)

    def take(self, key: object, per_minute: int | None) -> float:
        """Spend one token; 0 if allowed, else the seconds until one is available."""
        if per_minute is None:
            return 0.0
        if per_minute <= 0:
            return 60.0
        rate = per_minute / 60.0
        with self.lock:
            now = self.clock()
            tokens, last = self.buckets.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self.buckets[key] = (tokens - 1.0, now)
                return 0.0
            self.buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
