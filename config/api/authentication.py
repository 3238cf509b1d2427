"""DRF token auth without a query per request: the token, its user and the user's
partner membership are read in one query, then kept in this process for a short while
(integration clients send the same token thousands of times an hour). A deleted token
or deactivated user stops working within TOKEN_CACHE_SECONDS; a deactivated partner at
once, since each entry is filed under the credentials version (`config.credentials`)
that its deactivation changes."""

import time

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from config.callers import deactivated_partner_message
from config.credentials import credentials_version

TOKEN_CACHE_SECONDS = 30
TOKEN_CACHE_MAX = 10_000

_recent: dict[str, tuple[float, object, object, bytes]] = {}


class PartnerTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        version = credentials_version()
        cached = _recent.get(key)
        if cached is not None and cached[0] > now and version is not None and cached[3] == version:
            return cached[1], cached[2]
        token = self.get_model().objects.select_related("user__membership__partner").filter(key=key).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        refusal = deactivated_partner_message(token.user)
        if refusal:
            raise AuthenticationFailed(refusal)
        if version is not None:
            if len(_recent) >= TOKEN_CACHE_MAX:
                _recent.clear()
            _recent[key] = (now + TOKEN_CACHE_SECONDS, token.user, token, version)
        return token.user, token


def forget_cached_tokens() -> None:
    """Drop every cached token (tests that deactivate a user or delete a token)."""
    _recent.clear()
