"""The "Are we OK?" panel's Stripe numbers each link to exactly the rows behind them."""

import html
import re

import pytest
from django.utils import timezone

from payments.factories import PaymentFactory, ReconciliationFindingFactory, StripeEventFactory
from payments.mirror import set_mirror_paused

pytestmark = pytest.mark.django_db

STRIPE_NUMBER = re.compile(r'<a class="health-number health-stripe" href="([^"]*)"><strong[^>]*>([^<]*)<')


def listed(client, url: str) -> set:
    response = client.get(html.unescape(url))
    assert response.status_code == 200, url
    return {row.pk for row in response.context["cl"].queryset}


def test_each_stripe_number_links_to_exactly_its_rows(admin_client):
    disputed = PaymentFactory(disputed_at=timezone.now(), stripe_dispute_id="dp_1")
    PaymentFactory()
    waiting = {StripeEventFactory().pk for _ in range(2)}
    failed = StripeEventFactory(mirrored_at=timezone.now(), mirror_error="event evt_x: KeyError: 'data'")
    StripeEventFactory(mirrored_at=timezone.now())
    finding = ReconciliationFindingFactory()
    set_mirror_paused(True)

    page = admin_client.get("/admin/").content.decode()
    [reconciliation, disputes, mirror_waiting, mirror_failed] = STRIPE_NUMBER.findall(page)

    assert (
        reconciliation[1] == "1"
        and finding.stripe_id in admin_client.get(html.unescape(reconciliation[0])).content.decode()
    )
    assert (listed(admin_client, disputes[0]), disputes[1]) == ({disputed.pk}, "1")
    assert (listed(admin_client, mirror_waiting[0]), mirror_waiting[1]) == (waiting, "2")
    assert (listed(admin_client, mirror_failed[0]), mirror_failed[1]) == ({failed.pk}, "1")
    assert 'id="health-mirror-switch" href="/admin/payments/mirrorswitch/">paused</a>' in page
