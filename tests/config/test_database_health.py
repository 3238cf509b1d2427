"""The health check of a persistent connection (config/postgresql/base.py): one the
server closed is dropped before the next request uses it, and a healthy one is
checked without a round trip to PostgreSQL."""

import time

import pytest
from django.db import connections

from config.postgresql import base

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_connection():
    """A connection of the test's own, as a web worker holds one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.settings_dict["CONN_HEALTH_CHECKS"] = True
    wrapper.ensure_connection()
    wrapper.health_check_enabled = True
    yield wrapper
    wrapper.close()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def new_request(wrapper) -> None:
    """What Django does between two requests (request_started and request_finished)."""
    wrapper.close_if_unusable_or_obsolete()
    wrapper.close_if_health_check_failed()


def test_the_settings_use_the_backend_whose_health_check_costs_no_round_trip():
    assert isinstance(connections["default"], base.DatabaseWrapper)
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_connection_is_kept_without_a_query(own_connection, monkeypatch):
    pid = backend_pid(own_connection)
    full_checks = []
    monkeypatch.setattr(own_connection, "is_usable", lambda: full_checks.append(1) or True)
    new_request(own_connection)
    assert full_checks == []
    assert backend_pid(own_connection) == pid


def test_a_connection_the_server_closed_is_dropped_and_the_next_request_gets_a_new_one(own_connection):
    pid = backend_pid(own_connection)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's farewell reaches the socket at once on this machine; give it a moment anyway.
    for _ in range(50):
        if base.socket_has_news(own_connection.connection):
            break
        time.sleep(0.01)
    new_request(own_connection)
    assert own_connection.connection is None
    assert backend_pid(own_connection) != pid
