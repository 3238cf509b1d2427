"""Two partner admins opening the payment page at once, for a partner without a Stripe
customer yet, in real threads: both SetupIntents are for the one customer the partner
keeps, so either admin's card can be saved."""

import threading

import pytest
from django.db import connections

from partners.factories import PartnerFactory
from partners.models import Partner
from payments.cards_on_file import start_card_setup

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_admins_opening_the_page_at_once_get_setup_intents_of_one_customer(breaker_reset):
    partner = PartnerFactory(code="LILY", payment_method=Partner.PaymentMethod.CARD)
    start = threading.Barrier(4)
    customers, errors = [], []

    def open_page():
        try:
            start.wait()
            customers.append(start_card_setup(Partner.objects.get(id=partner.id))["customer"])
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_page) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    stored = Partner.objects.get(id=partner.id).stripe_customer_id
    assert stored.startswith("cus_") and customers == [stored] * 4
