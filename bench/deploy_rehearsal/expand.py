"""Schema changes that never hold the traffic up behind a lock: the expand step a
deploy under load uses.

`ALTER TABLE` needs the table's ACCESS EXCLUSIVE lock, if only for a moment. While it
waits for that lock (behind any transaction that has read the table, a long report
say), every query on the table queues behind the ALTER: intake would stop for as long
as the longest transaction in flight. So each try waits at most `lock_timeout_ms`
for the lock, then gives up, lets the queue drain for `pause_s`, and tries again."""

import time

import psycopg
from django.db import OperationalError, transaction

LOCK_TIMEOUT_MS = 500
PAUSE_S = 1.0
TRIES = 60


def alter_without_queueing(schema_editor, sql: str, *, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> int:
    """Run `sql` (one ALTER TABLE) in its own transaction, retrying while its lock is
    not granted within `lock_timeout_ms`; return the tries it took. Call from a
    migration with `atomic = False`, so each try is a short transaction of its own."""
    connection = schema_editor.connection
    for attempt in range(1, TRIES + 1):
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout_ms)}ms'")
                cursor.execute(sql)
        except OperationalError as error:
            if not isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
                raise
            print(f"  lock not granted within {lock_timeout_ms} ms, try {attempt}; trying again in {PAUSE_S} s")
            time.sleep(PAUSE_S)
            continue
        print(f"  applied on try {attempt}: {sql}")
        return attempt
    raise RuntimeError(f"{sql!r}: its lock was not granted in {TRIES} tries of {lock_timeout_ms} ms")
