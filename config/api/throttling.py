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
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from config.callers import caller_partner

logger = logging.getLogger("bouquet.api")

DEFAULT_SCOPE = "api"

# The sliding window, as a Lua function so that the request's first look at Redis
# (config/api/first_look.py) can admit in the same script: trims the window at `key`,
# and answers {1} when the request is admitted (and counted), else {0, the moment of
# the limit-th newest request admitted} (when it leaves the window, a place frees up).
WINDOW_LUA = """
local function admit(key, now_text, duration, limit)
  local now = tonumber(now_text)
  while true do
    local oldest = redis.call('LINDEX', key, -1)
    if not oldest or tonumber(oldest) > now - duration then break end
    redis.call('RPOP', key)
  end
  if redis.call('LLEN', key) >= limit then
    return {0, redis.call('LINDEX', key, limit - 1)}
  end
  redis.call('LPUSH', key, now_text)
  redis.call('EXPIRE', key, duration)
  return {1}
end
"""
# KEYS[1]: the window; ARGV: now, the window's seconds, the limit.
_ADMIT_SCRIPT = WINDOW_LUA + "return admit(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]))"
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


@dataclass(frozen=True, slots=True)
class Window:
    """The rate window a request counts against: its scope, its Redis key, and the
    scope's limit over its seconds."""

    scope: str
    key: str
    limit: int
    duration: int


@dataclass(frozen=True, slots=True)
class Admission:
    """A request counted (or refused) in its window before the throttle ran: the
    request's first look at Redis does it with the credentials version."""

    key: str
    admitted: bool
    limit_reached_at: float | None
    now: float


# Where a request carries an Admission taken before the throttle ran.
ADMISSION_ATTRIBUTE = "_bouquet_admission"


def rate_for(scope: str) -> str:
    # Read at call time, so a changed setting is seen (tests, a deploy's reload).
    try:
        return api_settings.DEFAULT_THROTTLE_RATES[scope]
    except KeyError:
        raise ImproperlyConfigured(f"No throttle rate set for scope {scope!r}.") from None


def window_for(view, request, *, user, address: str = "") -> Window:
    """Return the window a request of `user` (of `address` when nobody is signed in)
    to this view counts against: a partner's users share one, staff have one each."""
    scope = throttle_scope_for(view, request)
    limit, duration = parse_rate(rate_for(scope))
    partner = caller_partner(user)
    if partner is not None:
        ident = f"partner-{partner.pk}"
    elif user and user.is_authenticated:
        ident = f"user-{user.pk}"
    else:
        ident = f"address-{address}"
    return Window(scope=scope, key=window_key(scope, ident), limit=limit, duration=duration)


def throttled_by_partner(view) -> bool:
    """Whether this view's requests count against PartnerScopedRateThrottle's windows."""
    return PartnerScopedRateThrottle in getattr(view, "throttle_classes", ())


def admission_answer(answer) -> tuple[bool, float | None]:
    """Read the window script's answer: admitted, and when refused the moment of the
    limit-th newest request in the window."""
    if answer[0]:
        return True, None
    return False, float(answer[1]) if len(answer) > 1 and answer[1] is not None else None


def admit(key: str, *, now: float, duration: int, limit: int) -> tuple[bool, float | None]:
    """Count a request in the window at `key` if it holds fewer than `limit` requests
    of the last `duration` seconds; return whether it did, and when refused the moment
    of the limit-th newest request in it. One round trip (EVALSHA). Raise RedisError
    when Redis does not answer."""
    connection = get_redis_connection("default")
    if _admit["connection"] is not connection:
        _admit["script"], _admit["connection"] = connection.register_script(_ADMIT_SCRIPT), connection
    return admission_answer(_admit["script"](keys=[key], args=[repr(now), duration, limit]))


class PartnerScopedRateThrottle(BaseThrottle):
    """A partner's users share one budget per scope; staff have one each; a caller not
    signed in (the schema pages) is counted by address. A request whose first look at
    Redis admitted it already (config/api/first_look.py) is not counted twice."""

    def __init__(self):
        self.scope = DEFAULT_SCOPE
        self.num_requests, self.duration = 0, 0
        self.now = 0.0
        self.limit_reached_at: float | None = None

    def get_rate(self) -> str:
        return rate_for(self.scope)

    def allow_request(self, request, view):
        window = self._window(request, view)
        self.scope, self.num_requests, self.duration = window.scope, window.limit, window.duration
        earlier = getattr(request, ADMISSION_ATTRIBUTE, None)
        if earlier is not None and earlier.key == window.key:
            self.now, self.limit_reached_at = earlier.now, earlier.limit_reached_at
            return earlier.admitted
        self.now = time.time()
        try:
            admitted, self.limit_reached_at = admit(
                window.key, now=self.now, duration=self.duration, limit=self.num_requests
            )
        except RedisError:
            # The platform degrades without Redis (token and intake caches do); a limiter
            # that took the API down with it would do more harm than the traffic.
            logger.warning("rate limit not checked: Redis did not answer")
            return True
        return admitted

    def get_cache_key(self, request, view):
        return self._window(request, view).key

    def _window(self, request, view) -> Window:
        user = request.user
        # The address only counts for a caller not signed in: not worked out for the rest.
        address = "" if user and user.is_authenticated else self.get_ident(request)
        return window_for(view, request, user=user, address=address)

    def wait(self):
        """Return the seconds until the request that filled the budget leaves the
        window, at least one (the whole window when the limit is 0)."""
        if self.num_requests < 1 or self.limit_reached_at is None:
            return self.duration
        return max(self.duration - (self.now - self.limit_reached_at), 1)
