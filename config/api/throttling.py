"""The API's rate limits: DRF's own sliding-window throttle, with one budget per partner
(every user of a partner shares it) and one per staff user, in each scope.

A view names its scope with `throttle_scope`, a string or a mapping of HTTP method to
scope (the order list shares its address with intake); anything else counts against
the general scope, `api`. A request counts against one scope only, so it costs DRF's
two Redis round trips (read the history, write it back) and no database query: the
caller's partner comes with the token. The rates are `REST_FRAMEWORK`'s
`DEFAULT_THROTTLE_RATES` (docs/SECURITY.md)."""

import logging

from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.callers import caller_partner

logger = logging.getLogger("bouquet.api")

DEFAULT_SCOPE = "api"


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


class PartnerScopedRateThrottle(SimpleRateThrottle):
    """A partner's users share one budget per scope; staff have one each; a caller not
    signed in (the schema pages) is counted by address."""

    def __init__(self):
        pass  # the scope, and so the rate, is known only once the view calls

    def get_rate(self):
        # Read at call time: DRF binds THROTTLE_RATES when the class is defined, so a
        # changed setting would go unseen.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.") from None

    def allow_request(self, request, view):
        self.scope = throttle_scope_for(view, request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except RedisError:
            # The platform degrades without Redis (token and intake caches do); a limiter
            # that took the API down with it would do more harm than the traffic.
            logger.warning("rate limit not checked: Redis did not answer")
            return True

    def get_cache_key(self, request, view):
        partner = caller_partner(request.user)
        if partner is not None:
            ident = f"partner-{partner.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self):
        """Return the seconds until the request that filled the budget leaves the window.
        DRF's own answer is None when the history holds more than the limit (a lowered
        limit, or concurrent requests that each read the history before the other wrote
        it), and a 429 would then go without Retry-After."""
        if self.num_requests < 1 or len(self.history) < self.num_requests:
            return self.duration
        return max(self.duration - (self.now - self.history[self.num_requests - 1]), 1)
