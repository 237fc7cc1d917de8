"""Rate and daily limits per channel, shared by every worker through the cache (Redis).

NOTIFICATIONS_RATE_LIMITS = {"email": {"per_second": 200, "per_day": 1_000_000},
"sms": {"per_second": 10, "per_day": 50_000}}; a missing channel or a 0 means no limit.

Bulk messages (campaigns) are held to both: they wait for the next second when the
second's allowance is spent, and are deferred to the next day (local midnight, never
dropped) when the day's is. Transactional notices — everything that is not part of a
campaign — are never held back: a login alert or a letter cannot wait for tomorrow.
They are counted in the day's usage all the same, because a provider's daily cap
counts every message: a busy transactional day leaves less room for campaigns.

Counters are fixed windows (`INCRBY` on one key per channel and second or day): atomic
across workers on Redis, with no script, and taken in blocks so a chunk of 500 emails
costs a few round trips, not 500. A worker killed holding a block only undercounts.
Written here rather than with a library: Celery's `rate_limit` is per worker process,
and the limiter libraries on PyPI offer no "defer to the next day" outcome.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from notifications import conf

_PREFIX = "notifications:limit"


@dataclass(frozen=True)
class Limit:
    per_second: int = 0
    per_day: int = 0


def limit_for(channel: str) -> Limit:
    raw = (conf.get("NOTIFICATIONS_RATE_LIMITS") or {}).get(channel) or {}
    return Limit(per_second=int(raw.get("per_second") or 0), per_day=int(raw.get("per_day") or 0))


def _take(key: str, wanted: int, cap: int, ttl: int) -> int:
    """Add up to `wanted` to the window's counter without passing `cap`; return how many."""
    cache.add(key, 0, ttl)
    try:
        total = cache.incr(key, wanted)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 0, ttl)
        total = cache.incr(key, wanted)
    over = max(0, total - cap)
    granted = max(0, wanted - over)
    if over:
        # Give back what was not granted, so later takers see the true usage.
        cache.decr(key, min(over, wanted))
    return granted


def today_key(channel: str, day: datetime.date | None = None) -> str:
    return f"{_PREFIX}:day:{channel}:{(day or timezone.localdate()).isoformat()}"


def day_used(channel: str, day: datetime.date | None = None) -> int:
    return int(cache.get(today_key(channel, day)) or 0)


def count_sent(channel: str, count: int) -> None:
    """Record messages sent outside the limits (transactional) in the day's usage."""
    if count and limit_for(channel).per_day:
        key = today_key(channel)
        cache.add(key, 0, 2 * 86400)
        try:
            cache.incr(key, count)
        except ValueError:
            cache.add(key, count, 2 * 86400)


def next_day_start() -> datetime.datetime:
    """Local midnight after today: when deferred bulk messages may go again."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


class Allowance:
    """What one delivery call may still send on one channel; asks the cache in blocks."""

    BLOCK = 50

    def __init__(self, channel: str, *, deadline: float) -> None:
        self.channel = channel
        self.limit = limit_for(channel)
        self.deadline = deadline
        self._day_left = 0
        self._second_left = 0
        self._second = 0
        self.day_spent = False

    def acquire(self) -> str:
        """'ok' to send one message now, 'day' when the day is spent, 'later' past the deadline."""
        limit = self.limit
        if limit.per_day and self._day_left == 0:
            self._day_left = _take(today_key(self.channel), self.BLOCK, limit.per_day, 2 * 86400)
            if self._day_left == 0:
                self.day_spent = True
                return "day"
        if limit.per_second:
            while True:
                now = time.time()
                second = int(now)
                if second != self._second:
                    self._second, self._second_left = second, 0
                if self._second_left == 0:
                    block = min(self.BLOCK, limit.per_second)
                    key = f"{_PREFIX}:s:{self.channel}:{second}"
                    self._second_left = _take(key, block, limit.per_second, 5)
                if self._second_left:
                    break
                wait = second + 1 - now
                if time.monotonic() + wait > self.deadline:
                    return "later"
                time.sleep(wait)
            self._second_left -= 1
        if limit.per_day:
            self._day_left -= 1
        return "ok"
