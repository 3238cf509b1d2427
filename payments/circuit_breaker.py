"""A circuit breaker for Stripe, kept in Redis so that every worker on every host sees
the same state: after `threshold` consecutive failures it opens for a cool-off, during
which callers fail fast and orders wait in PAYMENT_PENDING; then it lets calls through
again. If Redis itself is down the breaker stays closed (calls go through): it guards
Stripe, it must not become a second point of failure."""

import logging
import time

from django.conf import settings
from django_redis import get_redis_connection

from payments.exceptions import PaymentGatewayUnavailableError

logger = logging.getLogger("bouquet.payments")

FAILURES_KEY = "bouquet:breaker:stripe:failures"
OPEN_UNTIL_KEY = "bouquet:breaker:stripe:open_until"


def _redis():
    return get_redis_connection("default")


def check_closed() -> None:
    """Raise PaymentGatewayUnavailableError while the breaker is open."""
    try:
        open_until = _redis().get(OPEN_UNTIL_KEY)
    except Exception:
        return
    if open_until is not None and float(open_until) > time.time():
        raise PaymentGatewayUnavailableError(
            "Stripe is cooling off after repeated failures.", retry_after=float(open_until) - time.time()
        )


def record_success() -> None:
    try:
        _redis().delete(FAILURES_KEY)
    except Exception:
        pass


def record_failure() -> None:
    cooloff = settings.STRIPE_BREAKER_COOLOFF_SECONDS
    try:
        redis = _redis()
        failures = redis.incr(FAILURES_KEY)
        redis.expire(FAILURES_KEY, max(cooloff * 4, 60))
        if failures >= settings.STRIPE_BREAKER_THRESHOLD:
            redis.set(OPEN_UNTIL_KEY, time.time() + cooloff, ex=cooloff)
            redis.delete(FAILURES_KEY)
            logger.warning("stripe circuit breaker opened", extra={"failures": failures, "cooloff_s": cooloff})
    except Exception:
        pass


def reset() -> None:
    try:
        _redis().delete(FAILURES_KEY, OPEN_UNTIL_KEY)
    except Exception:
        pass
