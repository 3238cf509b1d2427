"""inventory.signals.stock_grew: sent once the transaction that grew a product's supply
commits, once per transaction with every product it grew, and not at all for a write
that shrinks stock or a transaction that rolls back."""

import datetime

import pytest
from django.db import transaction

from inventory.signals import stock_grew
from inventory.stock_sync import set_on_hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """The product ids of each stock_grew sent while the test runs."""
    sent = []

    def receive(sender, *, product_ids, **kwargs):
        sent.append(product_ids)

    stock_grew.connect(receive, dispatch_uid="test_stock_grew")
    yield sent
    stock_grew.disconnect(dispatch_uid="test_stock_grew")


@pytest.fixture
def two_products(warehouses, make_product):
    ams = warehouses["AMS"]
    return make_product("GROW-A", stock={ams: 10}), make_product("GROW-B", stock={ams: 10}), ams


def test_one_transaction_growing_two_products_sends_one_signal_after_its_commit(
    two_products, announced, django_capture_on_commit_callbacks
):
    rose, tulip, ams = two_products
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            set_on_hand(product=rose, warehouse=ams, on_hand=20, expected_version=1, actor="erp")
            set_on_hand(product=tulip, warehouse=ams, lot="NEW", on_hand=5, expected_version=0, actor="erp")
            set_on_hand(product=rose, warehouse=ams, lot="NEW", on_hand=5, expected_version=0, actor="erp")
            assert announced == []  # not before the commit
    assert announced == [sorted([rose.id, tulip.id])]


def test_new_dates_send_it_and_fewer_units_do_not(two_products, announced, django_capture_on_commit_callbacks):
    rose, _, ams = two_products
    with django_capture_on_commit_callbacks(execute=True):
        set_on_hand(product=rose, warehouse=ams, on_hand=4, expected_version=1, actor="erp")
    assert announced == []
    with django_capture_on_commit_callbacks(execute=True):
        later = datetime.date.today() + datetime.timedelta(days=30)
        set_on_hand(product=rose, warehouse=ams, on_hand=4, expected_version=2, expires_on=later, actor="erp")
    assert announced == [[rose.id]]


def test_a_write_rolled_back_sends_nothing(two_products, announced, django_capture_on_commit_callbacks):
    rose, _, ams = two_products
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            set_on_hand(product=rose, warehouse=ams, on_hand=50, expected_version=1, actor="erp")
            raise RuntimeError("the rest of the file was refused")
    assert announced == []
