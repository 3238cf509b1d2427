"""`manage.py dev_prepare`, run by the Procfile's `web` line before gunicorn: it waits
for the Stripe stand-in that honcho starts beside it, then builds the demo world and
registers the webhook."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from partners.models import Partner

# Nothing listens on the discard port: the stand-in's deliveries fail at once.
UNUSED_WEBHOOK_URL = "http://127.0.0.1:9/payments/stripe/webhook/"


@pytest.mark.django_db
def test_builds_the_demo_world_and_registers_the_webhook(breaker_reset):
    out = StringIO()

    call_command("dev_prepare", webhook_url=UNUSED_WEBHOOK_URL, wait=5, even_with_debug_off=True, stdout=out)

    assert get_user_model().objects.filter(username__in=["bloom", "fern", "thorn"]).count() == 3
    assert Partner.objects.get(code="BLOOM").stripe_payment_method_id
    assert f"Webhook registered at the Stripe stand-in: {UNUSED_WEBHOOK_URL}" in out.getvalue()


def test_gives_up_naming_the_stand_in_when_it_never_answers(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    with pytest.raises(CommandError, match=r"stand-in at http://127.0.0.1:9 did not answer within 0.5s"):
        call_command("dev_prepare", wait=0.5, stdout=StringIO())
