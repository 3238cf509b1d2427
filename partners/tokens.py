"""API tokens for integration clients and partner users.

A key is 40 random hex characters, shown once when it is issued. The database keeps
only its SHA-256 (a key has 160 random bits, so a fast hash is enough: there is no
password to guess) and its first 8 characters, which find the row and name the token
in the admin. A token may expire (`API_TOKEN_DAYS` after it is issued) and may be
revoked; revoking bumps the credentials version (`config.credentials`), so every
process drops the tokens it cached at once."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.credentials import credentials_changed
from partners.exceptions import ApiTokenExpiredError, ApiTokenRevokedError, InvalidApiTokenError
from partners.models import ApiToken

KEY_BYTES = 20
KEY_LENGTH = 2 * KEY_BYTES
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class IssuedApiToken:
    """A token just issued, with its key: the only moment the key is known."""

    token: ApiToken
    key: str


def hash_api_key(key: str) -> str:
    """Return the SHA-256 of the key, as stored in `ApiToken.key_hash`."""
    return hashlib.sha256(key.encode()).hexdigest()


def default_expiry(now: datetime) -> datetime | None:
    """Return when a token issued now expires: `API_TOKEN_DAYS` later, or never when
    the setting is 0."""
    days = settings.API_TOKEN_DAYS
    return now + timedelta(days=days) if days else None


def issue_api_token(*, user, label: str = "", replace: bool = False) -> IssuedApiToken:
    """Give the user a new API token and return it with its key, which is not stored
    and cannot be shown again. With `replace`, revoke the user's earlier tokens in the
    same transaction; otherwise they keep working (rotate: issue, switch, revoke)."""
    key = secrets.token_hex(KEY_BYTES)
    now = timezone.now()
    with transaction.atomic():
        if replace:
            revoke_api_tokens(tokens=ApiToken.objects.filter(user=user))
        token = ApiToken.objects.create(
            user=user,
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_api_key(key),
            label=label[:100],
            created_at=now,
            expires_at=default_expiry(now),
        )
    return IssuedApiToken(token=token, key=key)


def revoke_api_tokens(*, tokens) -> int:
    """Revoke the tokens of the queryset not revoked yet, and return how many. Every
    process stops accepting them once the transaction commits."""
    revoked = tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        credentials_changed()
    return revoked


def find_api_token(*, key: str) -> ApiToken:
    """Return the token whose key this is, with its user, the user's membership and
    partner (one query), if it may be used now. Raise InvalidApiTokenError for a key
    no token has, ApiTokenRevokedError or ApiTokenExpiredError for one that may no
    longer be used."""
    # Keys are hex (DRF's carried over too): anything else is refused without a query.
    if not (0 < len(key) <= KEY_LENGTH and key.isascii() and key.isalnum()):
        raise InvalidApiTokenError("Invalid token.")
    digest = hash_api_key(key)
    candidates = ApiToken.objects.select_related("user__membership__partner").filter(prefix=key[:PREFIX_LENGTH])
    # Several tokens may share a prefix; the hash decides, compared in constant time.
    token = next((found for found in candidates if hmac.compare_digest(found.key_hash, digest)), None)
    if token is None:
        raise InvalidApiTokenError("Invalid token.")
    check_api_token_usable(token=token, now=timezone.now())
    return token


def check_api_token_usable(*, token: ApiToken, now: datetime) -> None:
    """Raise ApiTokenRevokedError or ApiTokenExpiredError when the token may not be
    used at `now`."""
    if token.revoked_at is not None:
        raise ApiTokenRevokedError(
            f"The API token {token.prefix}… was revoked on {_utc(token.revoked_at)}; ask for a new one."
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise ApiTokenExpiredError(
            f"The API token {token.prefix}… expired on {_utc(token.expires_at)}; ask for a new one."
        )


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
