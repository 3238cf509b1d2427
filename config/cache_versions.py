"""Version keys in Redis for what a process keeps in memory between requests (intake's
catalogue and price lists, the delivery calendar): a reader files what it loads under
the version it read first, and a write gives the key a new value once its transaction
commits, so every process drops what it held at its next read.

Why this is correct:
- A reader reads the versions before it reads PostgreSQL (READ COMMITTED: each
  statement sees what committed before it began), so whatever it loads is at least as
  new as the version it files the rows under.
- Values are random tokens, not counters: after Redis loses its data (a flush, a
  restart without persistence) a fresh value can never equal one a process still holds.
- A transaction that has itself written cached rows (bumps still pending) must read
  PostgreSQL directly and store nothing (`writes_pending_here`): it sees its own
  uncommitted rows, which must not reach a shared cache if it rolls back.
- What a process holds is dropped after MAX_AGE_SECONDS whatever Redis says, which
  bounds the harm of a bump lost to a Redis outage or of a write that bypassed the model
  (`QuerySet.update`, `bulk_create`, SQL by hand: those must bump themselves)."""

import logging
import uuid
from collections.abc import Callable

from django.db import transaction
from django_redis import get_redis_connection
from redis.exceptions import RedisError

logger = logging.getLogger("bouquet.cache")

# A bound on staleness when a bump is lost, not the normal way entries go: a bump
# drops them at once.
MAX_AGE_SECONDS = 300


def read_versions(*keys: str) -> list[bytes | None]:
    """Return the current value of each key, in one round trip when all are set.
    Raise RedisError when Redis cannot be read (the caller then reads PostgreSQL)."""
    redis = get_redis_connection("default")
    versions = redis.mget(keys)
    for index, (key, version) in enumerate(zip(keys, versions)):
        if version is None:
            # Never bumped, or Redis lost it: start a value no process can hold yet
            # (whoever sets it first wins; everyone then reads the same one).
            redis.set(key, _new_version(), nx=True)
            versions[index] = redis.get(key)
    return versions


def _new_version() -> str:
    return uuid.uuid4().hex


class VersionBump:
    """An on_commit callback giving a version key a new value; `forget_locally` drops
    what this process holds under the key, so it sees the change at once, Redis or not."""

    __slots__ = ("key", "forget_locally")

    def __init__(self, key: str, forget_locally: Callable[[str], None]):
        self.key = key
        self.forget_locally = forget_locally

    def __call__(self) -> None:
        self.forget_locally(self.key)
        try:
            get_redis_connection("default").set(self.key, _new_version())
        except RedisError as exc:
            logger.error(
                f"cache version not bumped; other processes may use old data for up to {MAX_AGE_SECONDS} s",
                extra={"key": self.key, "error": repr(exc)},
            )


def _pending_bumps() -> list[VersionBump]:
    # Django keeps the current transaction's on_commit callbacks here, and drops those
    # of a savepoint that rolls back: exactly the bumps still owed.
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return []
    return [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], VersionBump)]


def writes_pending_here() -> bool:
    """Whether this transaction has written rows some cache holds (its bumps wait for
    the commit): it must then read PostgreSQL and keep nothing."""
    return bool(_pending_bumps())


def bump_on_commit(key: str, forget_locally: Callable[[str], None]) -> None:
    """Give `key` a new value once this transaction commits (at once outside one)."""
    # One bump per key and transaction: an import of thousands of prices is one SET.
    if any(bump.key == key for bump in _pending_bumps()):
        return
    transaction.on_commit(VersionBump(key, forget_locally), robust=True)
