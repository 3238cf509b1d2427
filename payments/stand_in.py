"""What only the Stripe stand-in (localstripe) needs: it has no webhook-endpoint API,
so endpoints are registered through its own configuration route. Production registers
the endpoint in Stripe's dashboard instead."""

import requests
from django.conf import settings

from payments.exceptions import PaymentError

WEBHOOK_ID = "bouquet"


def register_webhook(*, url: str) -> None:
    try:
        response = requests.post(
            f"{settings.STRIPE_API_BASE}/_config/webhooks/{WEBHOOK_ID}",
            data={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
            auth=(settings.STRIPE_SECRET_KEY, ""),
            timeout=settings.STRIPE_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise PaymentError(f"The Stripe stand-in at {settings.STRIPE_API_BASE} is not reachable: {exc}") from exc
    if response.status_code >= 300:
        raise PaymentError(f"The Stripe stand-in refused the webhook ({response.status_code}): {response.text[:200]}")
