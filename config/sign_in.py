"""Sign-in protection shared by the portal's and the admin's sign-in pages: the client
address that limits count by, the lockout backend django-axes runs, what a locked-out
client sees, and the limit on password-reset requests. Settings and defaults:
docs/SECURITY.md, "Sign-in and browser policy"."""

import hashlib
import ipaddress
import logging
import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("bouquet.sign_in")


def client_ip_address(request) -> str:
    """Return the address of the client that sent the request.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it received the
    request from to X-Forwarded-For, so the client's address is that many entries from
    the right; whatever stands left of it the client wrote itself and is ignored. With
    no proxy (or a header shorter than promised) it is the connection's address."""
    remote_address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote_address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote_address
    candidate = forwarded[-hops]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote_address
    return candidate


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first among the authentication backends: a username locked
    on this client address is refused before any password is compared.

    A call without a request (the test client's `login`, a script checking a password)
    is no sign-in form and has no client address to count by, so it passes to the next
    backend instead of failing; axes records nothing without a request either."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def cooloff_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_response(request, original_response=None, credentials=None):
    """Return the page a locked-out client sees: the admin's look under the admin, the
    portal's elsewhere, 429 with Retry-After. It names no username and reads the same
    whether the username exists or not."""
    context = {"cooloff_minutes": cooloff_minutes()}
    if request.path.startswith(reverse("admin:index")):
        response = render(request, "admin/locked_out.html", {**admin.site.each_context(request), **context}, status=429)
    else:
        response = render(request, "portal/auth/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _count_request(key: str, window_seconds: int) -> tuple[int, int]:
    """Count one request under the key in a window that starts with its first request;
    return the count so far and the seconds left in the window. Atomic in Redis."""
    cache.add(key, 0, timeout=window_seconds)
    count = cache.incr(key)
    seconds_left = cache.ttl(key)
    return count, seconds_left if seconds_left and seconds_left > 0 else window_seconds


def claim_password_reset_request(*, email: str, ip_address: str) -> int:
    """Count a password-reset request for the address from the client, and return 0 if
    it may go ahead, else the seconds until the busier limit lets it.

    Both the e-mail address (whoever asks, from wherever) and the client (whatever
    address it names) have a budget per window, and a request counts whether or not
    the address belongs to a user, so the answer tells nothing about who exists. The
    address is hashed: no e-mail address is written to Redis. Without Redis the request
    goes ahead (logged), as the API's rate limits do: a reset is never refused for an
    outage."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    limits = [
        (f"password-reset:email:{email_key}", settings.PASSWORD_RESET_LIMIT_PER_EMAIL),
        (f"password-reset:ip:{ip_address}", settings.PASSWORD_RESET_LIMIT_PER_IP),
    ]
    wait_seconds = 0
    try:
        for key, limit in limits:
            count, seconds_left = _count_request(key, window)
            if count > limit:
                wait_seconds = max(wait_seconds, seconds_left)
    except (RedisError, ConnectionInterrupted):
        logger.warning("password-reset limit unavailable; request let through", exc_info=True)
        return 0
    return wait_seconds
