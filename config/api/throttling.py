"""The API's rate limits: a sliding window per partner (every user of a partner shares
it) and per staff user, in each scope, with DRF's semantics (a request is admitted
while fewer than the limit were admitted within the window before it).

A view names its scope with `throttle_scope`, a string or a mapping of HTTP method to
scope (the order list shares its address with intake); anything else counts against
the general scope, `api`. A request counts against one scope only, and costs one Redis
round trip and no database query: the caller's partner comes with the token, and the
window (a Redis list of the moments admitted, newest first, as DRF keeps it) is trimmed,
counted and added to by one Lua script, atomically, so two concurrent requests cannot
both take the last place. The rates are `REST_FRAMEWORK`'s `DEFAULT_THROTTLE_RATES`
(docs/SECURITY.md)."""

import logging
import time

from django.core.exceptions import ImproperlyConfigured
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from config.callers import caller_partner

logger = logging.getLogger("bouquet.api")

DEFAULT_SCOPE = "api"

# KEYS[1]: the window; ARGV: now, the window's seconds, the limit. Answers {1} when the
# request is admitted (and counted), else {0, the moment of the limit-th newest request
# admitted} (when it leaves the window, a place frees up).
_ADMIT_SCRIPT = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
while true do
  local oldest = redis.call('LINDEX', KEYS[1], -1)
  if not oldest or tonumber(oldest) > now - duration then break end
  redis.call('RPOP', KEYS[1])
end
if redis.call('LLEN', KEYS[1]) >= limit then
  return {0, redis.call('LINDEX', KEYS[1], limit - 1)}
end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], duration)
return {1}
"""
_admit = {"script": None, "connection": None}


def throttle_scope_for(view, request) -> str:
    """Return the scope a request to this view counts against."""
    scope = getattr(view, "throttle_scope", None)
    if isinstance(scope, dict):
        scope = scope.get(request.method)
    return scope or DEFAULT_SCOPE


def throttled_detail(wait: int | None, context) -> str:
    """Return what a throttled caller is told: which limit, and when to retry."""
    scope = throttle_scope_for(context.get("view"), context.get("request"))
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    when = f"in {wait} second{'s' if wait != 1 else ''}" if wait else "later"
    return f"Too many requests: the {scope} limit is {rate} per partner (per user for staff). Retry {when}."


def parse_rate(rate: str) -> tuple[int, int]:
    """Return (requests, seconds) of a rate such as "1200/min" (DRF's form)."""
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def window_key(scope: str, ident: str) -> str:
    return f"bouquet:throttle:{scope}:{ident}"


def admit(key: str, *, now: float, duration: int, limit: int) -> tuple[bool, float | None]:
    """Count a request in the window at `key` if it holds fewer than `limit` requests
    of the last `duration` seconds; return whether it did, and when refused the moment
    of the limit-th newest request in it. One round trip (EVALSHA). Raise RedisError
    when Redis does not answer."""
    connection = get_redis_connection("default")
    if _admit["connection"] is not connection:
        _admit["script"], _admit["connection"] = connection.register_script(_ADMIT_SCRIPT), connection
    answer = _admit["script"](keys=[key], args=[repr(now), duration, limit])
    if answer[0]:
        return True, None
    return False, float(answer[1]) if answer[1] is not None else None


class PartnerScopedRateThrottle(BaseThrottle):
    """A partner's users share one budget per scope; staff have one each; a caller not
    signed in (the schema pages) is counted by address."""

    def __init__(self):
        self.scope = DEFAULT_SCOPE
        self.num_requests, self.duration = 0, 0
        self.now = 0.0
        self.limit_reached_at: float | None = None

    def get_rate(self) -> str:
        # Read at call time, so a changed setting is seen (tests, a deploy's reload).
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.") from None

    def allow_request(self, request, view):
        self.scope = throttle_scope_for(view, request)
        self.num_requests, self.duration = parse_rate(self.get_rate())
        self.now = time.time()
        try:
            admitted, self.limit_reached_at = admit(
                self.get_cache_key(request, view), now=self.now, duration=self.duration, limit=self.num_requests
            )
        except RedisError:
            # The platform degrades without Redis (token and intake caches do); a limiter
            # that took the API down with it would do more harm than the traffic.
            logger.warning("rate limit not checked: Redis did not answer")
            return True
        return admitted

    def get_cache_key(self, request, view):
        partner = caller_partner(request.user)
        if partner is not None:
            ident = f"partner-{partner.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return window_key(self.scope, ident)

    def wait(self):
        """Return the seconds until the request that filled the budget leaves the
        window, at least one (the whole window when the limit is 0)."""
        if self.num_requests < 1 or self.limit_reached_at is None:
            return self.duration
        return max(self.duration - (self.now - self.limit_reached_at), 1)
