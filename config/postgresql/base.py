"""Django's PostgreSQL backend with a health check that costs no round trip.

Connections persist between requests (CONN_MAX_AGE), and one that died with a
PostgreSQL restart must be dropped before a request uses it, not fail that request:
that is CONN_HEALTH_CHECKS. Django's check is a `SELECT 1` at the start of every
request and task, a round trip each time: on the hot paths (intake, the webhook,
each journey task) it was as much PostgreSQL and client CPU as one of the real
statements. A connection that the server closed (a restart, a terminated backend,
an idle timeout) always says so first on its socket: the server sends its FATAL
message and closes, so the socket turns readable. A healthy idle connection has
nothing to read. So the socket is polled, which costs one system call; only when it
has something to say does the full check run (and drops the connection if that
fails)."""

import select

from django.db.backends.postgresql import base


def socket_has_news(connection) -> bool:
    """Whether anything (data, end of file, an error) waits on the idle connection's
    socket, or its socket cannot be polled at all."""
    try:
        descriptor = connection.pgconn.socket
    except Exception:  # psycopg refuses to give the socket of a broken connection
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return
        if self.connection.closed or (socket_has_news(self.connection) and not self.is_usable()):
            self.close()
        self.health_check_done = True
