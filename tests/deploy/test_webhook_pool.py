"""Stripe's webhook has a pool of its own (deploy/nginx/bouquet.conf, upstream
bouquet_webhooks): nginx sends the webhook there and everything else to the web pool,
so a web pool full of orders never keeps a webhook waiting, and past its connections
the web pool is spared by nginx at once, with a 503 that nginx logs as its own."""

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings

from bench import edge
from payments.models import StripeEvent

pytestmark = pytest.mark.slow

WEBHOOK = "/payments/stripe/webhook/"


def send(url: str, *, data: bytes | None = None, **headers) -> tuple[int, dict, bytes, float]:
    """Return the status, headers, body and seconds taken of one request."""
    started = time.monotonic()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, dict(answer.headers), answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.monotonic() - started


def stripe_event(event_id: str) -> tuple[bytes, str]:
    """A payment_intent.succeeded event and its Stripe-Signature, signed as Stripe signs
    with the platform's webhook secret."""
    payload = json.dumps(
        {
            "id": event_id,
            "type": "payment_intent.succeeded",
            "data": {"object": {"object": "payment_intent", "id": f"pi_{event_id}"}},
        }
    ).encode()
    stamp = int(time.time())
    digest = hmac.new(
        django_settings.STRIPE_WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, f"t={stamp},v1={digest}"


def post_webhook(base_url: str, event_id: str) -> tuple[int, dict, bytes, float]:
    payload, signature = stripe_event(event_id)
    return send(
        f"{base_url}{WEBHOOK}", data=payload, **{"Content-Type": "application/json", "Stripe-Signature": signature}
    )


def test_nginx_sends_the_webhook_to_the_webhook_pool_and_an_order_to_the_web_pool(run_nginx, relay_to_live_server):
    web, webhooks = relay_to_live_server(), relay_to_live_server()
    base_url = run_nginx([web.address], webhook_servers=[webhooks.address])

    webhook = post_webhook(base_url, "evt_routed")
    assert (web.connections, webhooks.connections) == (0, 1)
    order = send(f"{base_url}/api/v1/orders/", data=b"{}", **{"Content-Type": "application/json"})

    assert webhook[0] == 200 and json.loads(webhook[2]) == {"status": "recorded"}
    assert StripeEvent.objects.filter(id="evt_routed").exists()
    assert order[0] in (401, 403)  # the application's answer: no token
    assert (web.connections, webhooks.connections) == (1, 1)


def test_with_the_web_pool_full_a_webhook_is_still_answered_and_an_order_refused_at_once(
    run_nginx, relay_to_live_server
):
    web, webhooks = relay_to_live_server(), relay_to_live_server()
    base_url = run_nginx([web.address], web_workers=1, webhook_servers=[webhooks.address])
    held = edge.CONNECTIONS_PER_WEB_WORKER  # max_conns of a web pool with one worker
    web.delay_s = 3.0  # every request in the web pool is held: its workers are busy
    holders = [threading.Thread(target=send, args=(f"{base_url}/healthz",)) for _ in range(held)]
    for holder in holders:
        holder.start()
    deadline = time.monotonic() + 5
    while web.connections < held and time.monotonic() < deadline:
        time.sleep(0.01)

    webhook = post_webhook(base_url, "evt_past_a_full_web_pool")
    order = send(f"{base_url}/api/v1/orders/", data=b"{}", **{"Content-Type": "application/json"})
    for holder in holders:
        holder.join()

    assert web.connections == held  # the order never reached the web pool
    assert webhook[0] == 200 and webhook[3] < 2.0  # answered while the web pool was still held
    assert StripeEvent.objects.filter(id="evt_past_a_full_web_pool").exists()
    status, headers, body, seconds = order
    assert status == 503 and headers["Retry-After"] and json.loads(body)["code"] == "unavailable"
    assert seconds < 1.0  # refused at once, not after the web pool's 3 s
