"""The webhook pool's settings (config/webhook_pool_settings.py): Stripe's webhook is
verified, recorded once and answered in its one statement with the pool's short
middleware; shedding still comes first; and no door of people's is served there, as
the pool runs without their sessions, CSRF checks and sign-in lockout."""

import time
from pathlib import Path

import pytest
from django.test import override_settings

from config import webhook_pool_settings
from payments.models import StripeEvent
from tests.deploy.test_webhook_pool import post_webhook, send
from tests.payments.test_stripe_webhook import WEBHOOK_URL, deliver, event_for
from tests.support.gunicorn import gunicorn

THE_POOL = override_settings(
    ROOT_URLCONF=webhook_pool_settings.ROOT_URLCONF, MIDDLEWARE=webhook_pool_settings.MIDDLEWARE
)


def payment_succeeded(event_id: str) -> dict:
    return event_for(f"pi_{event_id}", "payment_intent.succeeded", event_id, "succeeded")


def test_the_pool_keeps_shedding_first_and_drops_the_middleware_of_people_s_doors():
    middleware = webhook_pool_settings.MIDDLEWARE
    assert middleware[0] == "config.shedding.LoadSheddingMiddleware"
    assert "config.unavailable.DependencyUnavailableMiddleware" in middleware
    assert not any("session" in name or "csrf" in name or "axes" in name for name in middleware)


@pytest.mark.django_db
@THE_POOL
def test_a_webhook_is_recorded_once_in_one_statement(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the event recorded and the order waiting on it made due
        first = deliver(client, payment_succeeded("evt_pool_1"))
    with django_assert_num_queries(1):  # the event already seen
        again = deliver(client, payment_succeeded("evt_pool_1"))

    assert first.status_code == 200 and first.json() == {"status": "recorded"}
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert StripeEvent.objects.filter(id="evt_pool_1").count() == 1


@pytest.mark.django_db
@THE_POOL
def test_a_bad_signature_is_refused_and_records_nothing(client):
    answer = deliver(client, payment_succeeded("evt_pool_forged"), secret="whsec_not_ours")

    assert answer.status_code == 400 and answer.json()["code"] == "invalid_signature"
    assert not StripeEvent.objects.filter(id="evt_pool_forged").exists()


@pytest.mark.django_db
@THE_POOL
def test_a_webhook_that_waited_past_the_pool_s_bound_is_shed_before_anything_runs(client, settings):
    settings.SHED_AFTER_SECONDS = 5.0
    waited = f"t={time.time() - 6:.3f}"
    answer = client.post(WEBHOOK_URL, data=b"{}", content_type="application/json", HTTP_X_REQUEST_START=waited)

    assert answer.status_code == 503 and answer["Retry-After"]


@pytest.mark.django_db
@THE_POOL
@pytest.mark.parametrize("path", ["/api/v1/orders/", "/admin/", "/accounts/login/", "/", "/metrics"])
def test_the_pool_serves_no_other_door(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data=b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db
@THE_POOL
def test_the_health_checks_answer_on_the_pool(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_webhook_pool_records_a_webhook_and_serves_nothing_else(tmp_path: Path):
    with gunicorn(
        workers=1,
        metrics_dir=tmp_path,
        log=tmp_path / "webhooks.log",
        application="config.webhook_wsgi:application",
    ) as base:
        status, _, body, _ = post_webhook(base, "evt_real_pool")
        admin = send(f"{base}/admin/login/")
        ready = send(f"{base}/readyz")

    assert (status, body) == (200, b'{"status": "recorded"}')
    assert StripeEvent.objects.filter(id="evt_real_pool").exists()
    assert admin[0] == 404 and ready[0] == 200
