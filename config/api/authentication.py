"""DRF token auth without a query per request: the token, its user and the user's
partner membership are read in one query, then kept in this process for a short while
(integration clients send the same token thousands of times an hour). A deleted token
or deactivated user stops working within TOKEN_CACHE_SECONDS."""

import time

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

TOKEN_CACHE_SECONDS = 30
TOKEN_CACHE_MAX = 10_000

_recent: dict[str, tuple[float, object, object]] = {}


class PartnerTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        cached = _recent.get(key)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        token = self.get_model().objects.select_related("user__membership__partner").filter(key=key).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if len(_recent) >= TOKEN_CACHE_MAX:
            _recent.clear()
        _recent[key] = (now + TOKEN_CACHE_SECONDS, token.user, token)
        return token.user, token


def forget_cached_tokens() -> None:
    """Drop every cached token (tests that deactivate a user or delete a token)."""
    _recent.clear()
