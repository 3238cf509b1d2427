"""A circuit breaker for Stripe, kept in Redis so that every worker on every host sees
the same state: after `threshold` consecutive failures it opens for a cool-off, during
which callers fail fast and orders wait in PAYMENT_PENDING; then it lets calls through
again. If Redis itself is down the breaker stays closed (calls go through): it guards
Stripe, it must not become a second point of failure.

It also remembers when it first opened since Stripe last answered: with a short
cool-off it closes and opens again while Stripe stays down, and the "breaker open for
more than a minute" alert wants the whole outage, not the last cool-off."""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django_redis import get_redis_connection

from payments.exceptions import PaymentGatewayUnavailableError

logger = logging.getLogger("bouquet.payments")

FAILURES_KEY = "bouquet:breaker:stripe:failures"
OPEN_UNTIL_KEY = "bouquet:breaker:stripe:open_until"
OPENED_AT_KEY = "bouquet:breaker:stripe:opened_at"

# Per thread (Stripe calls run on several): whether the last check saw failures or an
# opening to forget on the next success, and until when its look at a shut breaker
# with nothing counted stands.
_seen = threading.local()
# While Stripe answers, a thread reads the breaker at most this often: a batch's calls
# (two a card order) then cost a round trip a second, not one each, which was 7% of the
# journey's worker CPU an order, half of them by card (scripts/profile_journey.py).
# The thread's own failure reads it again at the next call; an opening or failures
# counted by another process are seen this late.
LOOK_STANDS_SECONDS = 1.0
_clock = time.monotonic  # the tests' to move


def _redis():
    return get_redis_connection("default")


def check_closed() -> None:
    """Raise PaymentGatewayUnavailableError while the breaker is open."""
    if _clock() < getattr(_seen, "shut_until", 0.0):
        return
    try:
        open_until, failures, opened_at = _redis().mget(OPEN_UNTIL_KEY, FAILURES_KEY, OPENED_AT_KEY)
    except Exception:
        _seen.anything_to_reset = True
        return
    # Most calls succeed with nothing recorded: their success then needs no write.
    _seen.anything_to_reset = failures is not None or opened_at is not None
    if open_until is not None and float(open_until) > time.time():
        raise PaymentGatewayUnavailableError(
            "Stripe is cooling off after repeated failures.", retry_after=float(open_until) - time.time()
        )
    if not _seen.anything_to_reset:
        _seen.shut_until = _clock() + LOOK_STANDS_SECONDS


def forget_last_look() -> None:
    """Make this thread's next check read the breaker."""
    _seen.shut_until = 0.0


def record_success() -> None:
    """Forget the failures counted so far, if this thread's last look (or its own
    failure) found any: a success then writes nothing."""
    if not getattr(_seen, "anything_to_reset", True):
        return
    try:
        _redis().delete(FAILURES_KEY, OPENED_AT_KEY)
        _seen.anything_to_reset = False
    except Exception:
        pass


def record_failure() -> None:
    _seen.anything_to_reset = True
    forget_last_look()
    cooloff = settings.STRIPE_BREAKER_COOLOFF_SECONDS
    try:
        redis = _redis()
        failures = redis.incr(FAILURES_KEY)
        redis.expire(FAILURES_KEY, max(cooloff * 4, 60))
        if failures >= settings.STRIPE_BREAKER_THRESHOLD:
            now = time.time()
            redis.set(OPEN_UNTIL_KEY, now + cooloff, ex=cooloff)
            redis.delete(FAILURES_KEY)
            # Kept while it keeps opening; forgotten a minute after its last cool-off
            # ended (Stripe may recover with no call to tell us so).
            redis.set(OPENED_AT_KEY, now, nx=True)
            redis.expire(OPENED_AT_KEY, cooloff + 60)
            logger.warning("stripe circuit breaker opened", extra={"failures": failures, "cooloff_s": cooloff})
    except Exception:
        pass


def reset() -> None:
    forget_last_look()
    try:
        _redis().delete(FAILURES_KEY, OPEN_UNTIL_KEY, OPENED_AT_KEY)
    except Exception:
        pass


@dataclass(frozen=True)
class BreakerState:
    open: bool
    # While open: since it first opened with no successful call in between. 0 while shut.
    open_seconds: float


def breaker_state() -> BreakerState:
    """Return whether the breaker is open now, and for how long it has kept opening.
    Raises if Redis cannot be asked (for /metrics to say so, not to report "closed")."""
    open_until, opened_at = _redis().mget(OPEN_UNTIL_KEY, OPENED_AT_KEY)
    now = time.time()
    if open_until is None or float(open_until) <= now:
        return BreakerState(open=False, open_seconds=0.0)
    return BreakerState(open=True, open_seconds=max(now - float(opened_at or now), 0.0))
