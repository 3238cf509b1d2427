"""Short staff sessions. A staff account can change prices, stock and orders for every
partner, so its session ends when the browser closes and at most STAFF_SESSION_SECONDS
after sign-in, however busy; a partner's session keeps SESSION_COOKIE_AGE (two weeks by
default). docs/SECURITY.md, "Sign-in and browser policy"."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout

from config.unavailable import UNAVAILABLE

# When the session's staff user signed in (seconds since the epoch), stamped on the
# response that signed them in.
SIGNED_IN_AT = "bouquet_staff_signed_in_at"


def staff_session_expired(session, *, now: float) -> bool:
    """Return whether a staff session stamped at sign-in has outlived STAFF_SESSION_SECONDS."""
    signed_in_at = session.get(SIGNED_IN_AT)
    return signed_in_at is not None and now - signed_in_at >= settings.STAFF_SESSION_SECONDS


class StaffSessionMiddleware:
    """Sign a staff user out on the first request past their session's end, and make
    a staff user's session cookie end with the browser. After AuthenticationMiddleware
    and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            signed_in_staff = _signed_in_staff(request)
        except UNAVAILABLE:
            # No session can be read without the database; the view meets the same
            # error and answers 503 (config/unavailable.py).
            return self.get_response(request)
        if signed_in_staff and staff_session_expired(request.session, now=time.time()):
            logout(request)
            messages.info(request, "Your back-office session has ended. Please sign in again.")
        response = self.get_response(request)
        if _signed_in_staff(request) and SIGNED_IN_AT not in request.session:
            # The request that signed the user in (or the first after a promotion to
            # staff) starts the clock, and the cookie becomes a browser-session cookie.
            request.session[SIGNED_IN_AT] = time.time()
            request.session.set_expiry(0)
        return response


def _signed_in_staff(request) -> bool:
    """Whether a staff user is signed in through this request's session. A staff API
    token authenticates the request but has no session, and must not start one."""
    if request.session.get(SESSION_KEY) is None:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and user.is_staff
