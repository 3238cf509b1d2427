"""A token request's first look at Redis: one round trip where there were three.

A request with a token this process knows needs three answers from Redis before it
reaches its view's rules: the credentials version (is the cached token still good?),
its admission to its rate window (config/api/throttling.py), and the versions of what
the view keeps in memory between requests (intake's catalogue, price list and
calendar: config/cache_versions.py). Each cost a round trip, one after the other. The
token's cached user says already which window the request counts against and which
versions its view will read, so the token authentication asks for all three in one
script, before it trusts the cached token:
- the credentials version decides, as before, whether the cached token stands; when it
  does not, the token is read from PostgreSQL and the throttle counts the request
  itself unless the window is the same (a token's user rarely changes partner);
- the admission is left on the request for the throttle (PartnerScopedRateThrottle);
- the versions are left on the request for the view, which hands them to the rule that
  reads its cache (`versions_seen`);
- so is the time left on any key whose expiry the view wants (`expiry_seen`): intake
  reads the reserve step's promised claim, to skip its wake-up (orders.wakeups).

Reading the versions at authentication rather than in the view keeps what makes the
cache correct: they are read before the rows filed under them (nothing in between reads
PostgreSQL for them). A request whose first look fails (Redis down) goes on as it did
without it: the token is read from PostgreSQL, the throttle and the cache find Redis
down themselves."""

import time
from collections.abc import Mapping, Sequence

from django_redis import get_redis_connection

from config.api.throttling import (
    ADMISSION_ATTRIBUTE,
    WINDOW_LUA,
    Admission,
    admission_answer,
    throttled_by_partner,
    window_for,
)
from config.credentials import CREDENTIALS_VERSION_KEY

# Where a request carries the versions its first look read.
VERSIONS_ATTRIBUTE = "_bouquet_versions_seen"

# Where a request carries the milliseconds left on the keys its view asked about
# (`expiries_read_first`), and the moment (time.monotonic) the round trip started.
EXPIRIES_ATTRIBUTE = "_bouquet_expiries_seen"

# KEYS: the credentials version, the window when ARGV[4] is "1", the version keys, then
# the keys whose expiry is asked for.
# ARGV: now, the window's seconds, its limit, whether there is a window, how many versions.
# Answers {credentials version, admission or false, each version (false if unset), then
# each expiry key's PTTL in milliseconds (-2 if unset)}.
_FIRST_LOOK_SCRIPT = (
    WINDOW_LUA
    + """
local answer = {redis.call('GET', KEYS[1]), false}
local first = 2
if ARGV[4] == '1' then
  answer[2] = admit(KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]))
  first = 3
end
local last_version = first + tonumber(ARGV[5]) - 1
for i = first, #KEYS do
  if i <= last_version then
    answer[#answer + 1] = redis.call('GET', KEYS[i])
  else
    answer[#answer + 1] = redis.call('PTTL', KEYS[i])
  end
end
return answer
"""
)
_script = {"script": None, "connection": None}


def take_first_look(request, *, user) -> bytes | None:
    """Admit the request to the window `user` counts against at this view (if the view
    counts by partner) and read the versions the view will need (its
    `versions_read_first(request, user)`), leaving both on the request, and return the
    credentials version (None when unset): one round trip. Raise RedisError when Redis
    does not answer."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    window = window_for(view, request, user=user) if throttled_by_partner(view) else None
    version_keys, expiry_keys = _keys_read_first(view, request, user)
    now = time.time()
    keys = [CREDENTIALS_VERSION_KEY, *([window.key] if window else []), *version_keys, *expiry_keys]
    args = [repr(now), window.duration if window else 0, window.limit if window else 0, "1" if window else "0"]
    read_at = time.monotonic()
    answer = _first_look_script()(keys=keys, args=[*args, len(version_keys)])
    if window is not None:
        admitted, limit_reached_at = admission_answer(answer[1])
        setattr(request, ADMISSION_ATTRIBUTE, Admission(window.key, admitted, limit_reached_at, now))
    versions = answer[2 : 2 + len(version_keys)]
    setattr(request, VERSIONS_ATTRIBUTE, {key: value for key, value in zip(version_keys, versions) if value})
    setattr(request, EXPIRIES_ATTRIBUTE, (read_at, dict(zip(expiry_keys, answer[2 + len(version_keys) :]))))
    return answer[0] or None


def _keys_read_first(view, request, user) -> tuple[Sequence[str], Sequence[str]]:
    """The cache versions the view will read (its `versions_read_first(request, user)`)
    and the keys whose expiry it will want (its `expiries_read_first`)."""
    reads_first = getattr(view, "versions_read_first", None)
    expiries_first = getattr(view, "expiries_read_first", None)
    return (
        reads_first(request, user) if reads_first is not None else (),
        expiries_first(request, user) if expiries_first is not None else (),
    )


def versions_seen(request) -> Mapping[str, bytes]:
    """The cache versions this request's first look read (none if it took none)."""
    return getattr(request, VERSIONS_ATTRIBUTE, None) or {}


def expiry_seen(request, key: str) -> tuple[float, int | None]:
    """When this request's first look started (time.monotonic), and the milliseconds it
    found left on `key` (None if it did not read it: no first look, or not asked)."""
    read_at, expiries = getattr(request, EXPIRIES_ATTRIBUTE, None) or (0.0, {})
    return read_at, expiries.get(key)


def _first_look_script():
    connection = get_redis_connection("default")
    if _script["connection"] is not connection:
        _script["script"], _script["connection"] = connection.register_script(_FIRST_LOOK_SCRIPT), connection
    return _script["script"]
