"""The sync watermark: the moment before which every change to an order is final."""

import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from orders.selectors import sync_watermark

pytestmark = pytest.mark.django_db


def test_is_at_least_a_second_before_now():
    watermark = sync_watermark()

    assert watermark <= timezone.now() - timedelta(seconds=1)


def test_an_open_transaction_holds_it_back_to_the_transactions_start():
    """A transaction that has not written yet still counts: intake stamps its order
    with its transaction's start and commits later."""
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT now()")  # begins the transaction; now() is its start
            started = cursor.fetchone()[0]
        time.sleep(1.2)  # longer than the watermark's own second

        watermark = sync_watermark()

        assert watermark <= started
    finally:
        other.rollback()
        other.close()
