"""Statements are bound on the server and prepared after a few runs
(config/database_settings.py): PostgreSQL then neither parses nor plans the hot paths'
statements again on a persistent connection."""

import pytest
from django.db import connection

from config.database_settings import databases
from partners.models import Partner


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_statement_run_often_on_a_connection_is_prepared_at_the_server():
    for number in range(6):
        list(Partner.objects.filter(pk=number).values_list("name", flat=True))

    assert any('FROM "partners_partner"' in statement for statement in prepared_statements())


def test_server_side_binding_is_the_default_and_can_be_turned_off(monkeypatch):
    monkeypatch.delenv("DB_SERVER_SIDE_BINDING", raising=False)
    monkeypatch.setenv("DB_PREPARE_THRESHOLD", "3")
    options = databases()["default"]["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 3)

    # Behind a pooler in transaction mode, a prepared statement may meet another session.
    monkeypatch.setenv("DB_SERVER_SIDE_BINDING", "0")
    options = databases()["default"]["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options
