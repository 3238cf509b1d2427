"""When sign-in rights change (a partner deactivated), every process must stop trusting
what it cached about a caller. A version in Redis says so: a change gives it a new value
once its transaction commits, and a cache entry filed under another value is not used.
Values are random tokens, not counters: after Redis loses its data a fresh value never
equals one a process still holds. Without Redis nothing is cached."""

import logging
import uuid

from django.db import transaction
from django_redis import get_redis_connection
from redis.exceptions import RedisError

logger = logging.getLogger("bouquet.auth")

CREDENTIALS_VERSION_KEY = "bouquet:credentials:version"


def credentials_version() -> bytes | None:
    """The current version (one Redis round trip), or None when Redis does not answer."""
    try:
        redis = get_redis_connection("default")
        version = redis.get(CREDENTIALS_VERSION_KEY)
        if version is None:
            # Never bumped, or Redis lost it: start a value no process can hold yet.
            redis.set(CREDENTIALS_VERSION_KEY, uuid.uuid4().hex, nx=True)
            version = redis.get(CREDENTIALS_VERSION_KEY)
        return version
    except RedisError:
        return None


def credentials_changed() -> None:
    """Have every process drop what it cached about callers once this transaction commits."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        get_redis_connection("default").set(CREDENTIALS_VERSION_KEY, uuid.uuid4().hex)
    except RedisError:
        logger.warning("credentials version not bumped; cached tokens stay trusted for their time to live")
