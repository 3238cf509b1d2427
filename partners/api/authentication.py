"""Token auth without a query per request: the token, its user and the user's partner
membership are read in one query (partners/tokens.py `find_api_token`), then kept in
this process (integration clients send the same token thousands of times an hour).
Each entry is filed under the credentials version (`config.credentials`), which
revoking or deleting a token, moving a membership and deactivating a partner change,
and so do saving or deleting a user and changing groups or permissions
(partners/apps.py): every process then reads the token afresh on its next request. A
cached token is still refused once it expires. TOKEN_CACHE_SECONDS only bounds what a
lost bump (Redis losing the version's write) could leave trusted. At 30 s, as it was
while it also bounded how long a deactivated user kept access, each web worker read
every partner's token again twice a minute: 708 reads in an end-to-end bench run of
some 4,400 orders from 200 partners, each read with three more round trips to Redis;
at 10 minutes, 350 (bench/RESULTS.md, 2026-12-01 16:44 to 17:32).

With a cached token, the credentials version is read in the request's first look at
Redis (config/api/first_look.py), with its admission to its rate window and the cache
versions its view needs: one round trip for the three."""

import time
from dataclasses import dataclass

from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from config.api.first_look import take_first_look
from config.callers import deactivated_partner_message
from config.credentials import credentials_version
from partners.exceptions import PartnerError
from partners.models import ApiToken
from partners.tokens import check_api_token_usable, find_api_token, hash_api_key

TOKEN_CACHE_SECONDS = 600
TOKEN_CACHE_MAX = 10_000


@dataclass(frozen=True)
class CachedToken:
    fresh_until: float
    version: bytes
    token: ApiToken


# By the key's hash, so this process holds no key longer than a request does.
_recent: dict[str, CachedToken] = {}


class PartnerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <key>`, what the schema's http bearer scheme makes every
    generated client send, or `Token <key>`, as DRF's TokenAuthentication reads it and
    as integrations written before the schema did; an unusable token answers 401 with
    its reason's code (`token_revoked`, `token_expired`)."""

    keyword = "Bearer"
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None
        if len(words) != 2:
            raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>', with no space in it.")
        try:
            key = words[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("The token holds characters no token has.") from None
        return self.authenticate_credentials(key, request)

    def authenticate_credentials(self, key, request=None):
        now = time.monotonic()
        digest = hash_api_key(key)
        cached = _recent.get(digest)
        if cached is not None and cached.fresh_until <= now:
            cached = None
        try:
            if cached is None:
                version = credentials_version()
            else:
                # An expired token is refused before it counts against its partner's
                # rate window; a revoked one shows in the version the first look reads.
                check_api_token_usable(token=cached.token, now=timezone.now())
                version = _version_at_first_look(request, cached.token.user) if request else credentials_version()
                if version is not None and cached.version == version:
                    return cached.token.user, cached.token
            token = find_api_token(key=key)
        except PartnerError as refused:
            raise AuthenticationFailed(refused.message, code=refused.code) from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        refusal = deactivated_partner_message(token.user)
        if refusal:
            raise AuthenticationFailed(refusal)
        if version is not None:
            if len(_recent) >= TOKEN_CACHE_MAX:
                _recent.clear()
            _recent[digest] = CachedToken(fresh_until=now + TOKEN_CACHE_SECONDS, version=version, token=token)
        return token.user, token


def _version_at_first_look(request, user) -> bytes | None:
    """The credentials version, read with the request's admission and cache versions
    (config/api/first_look.py); None when Redis does not answer."""
    try:
        version = take_first_look(request, user=user)
    except RedisError:
        return None
    # Unset (never bumped, or Redis lost it): credentials_version starts a value.
    return version or credentials_version()


def forget_cached_tokens() -> None:
    """Drop every cached token (tests start with none)."""
    _recent.clear()
