"""The database connection's settings, from the environment, kept apart from
config/settings.py for length.

Connections persist between requests (CONN_MAX_AGE), one a process, not Django's pool.
Health checks drop one that died with a PostgreSQL restart, at no round trip's cost
(config/postgresql/base.py).

Parameters are bound on the server, and a statement a connection has run
`DB_PREPARE_THRESHOLD` times is prepared there: PostgreSQL then skips parsing and
planning it. Django binds on the client by default and disables prepared statements,
so that a pooler in transaction mode (PgBouncer) keeps working; we connect to
PostgreSQL directly, one connection a process, and the hot paths (intake, the webhook,
the journey's claim and moves) run the same few statements thousands of times a minute.
`DB_SERVER_SIDE_BINDING=0` goes back to Django's default (behind such a pooler)."""

import dj_database_url

from config.environment import env, env_bool, env_int


def databases() -> dict:
    default = dj_database_url.parse(
        env("DATABASE_URL", "postgres://bouquet:bouquet@127.0.0.1:5432/bouquet"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        engine="config.postgresql",
    )
    options = default.setdefault("OPTIONS", {})
    # A request or step never waits forever on PostgreSQL: connecting is bounded, and so
    # is waiting for a row lock (a lock timeout is a transient error that the journey
    # retries with backoff).
    options.setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3))
    options.setdefault(
        "options",
        f"-c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 10000)} "
        f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}",
    )
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", env_int("DB_PREPARE_THRESHOLD", 5))
    return {"default": default}
