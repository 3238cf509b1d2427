"""The Stripe gateway: the only module that talks to Stripe. Each call has a timeout,
goes through the circuit breaker, and turns Stripe's errors into ours: a declined card
is an answer (CardDeclinedError); an unreachable or failing Stripe is transient
(PaymentGatewayUnavailableError). Never call these while holding row locks."""

import logging
import threading
from decimal import Decimal
from urllib.parse import quote

import requests
import stripe
from django.conf import settings

from payments import circuit_breaker
from payments.exceptions import CardDeclinedError, PaymentError, PaymentGatewayUnavailableError
from payments.stripe_http import KeptAliveHTTPClient

logger = logging.getLogger("bouquet.payments")

# Errors that say Stripe (or the way to it) is unwell, not that our request was wrong.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


_clients = threading.local()


def _client_for(api_base: str, api_key: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        http_client=_http_client_for(api_base, timeout),
        # Retries are the journey's business (backoff per order, dead letters), not
        # a loop hidden in the SDK.
        max_network_retries=0,
    )


def _http_client_for(api_base: str, timeout: float) -> stripe.HTTPClient:
    """http.client over a kept-alive connection (payments.stripe_http), or through a
    proxy the environment names for Stripe, the SDK's requests client."""
    proxies = requests.utils.get_environ_proxies(api_base)
    proxy = {scheme: proxies[scheme] for scheme in ("http", "https") if scheme in proxies}
    if not proxy:
        return KeptAliveHTTPClient(timeout=timeout)
    session = requests.Session()
    # A session that trusts the environment scans every variable for proxies, and looks
    # for a .netrc, at each call: over a millisecond of CPU a call. Read once above.
    session.trust_env = False
    return stripe.RequestsClient(timeout=timeout, session=session, proxy=proxy)


def client() -> stripe.StripeClient:
    """This thread's client (each Stripe thread keeps its own session and connections)
    for the Stripe the settings name now."""
    key = (settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY, settings.STRIPE_TIMEOUT_SECONDS)
    cached = getattr(_clients, "cached", None)
    if cached is None or cached[0] != key:
        cached = _clients.cached = (key, _client_for(*key))
    return cached[1]


def to_minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _call(operation: str, function, *args, **kwargs):
    circuit_breaker.check_closed()
    try:
        result = function(*args, **kwargs)
    except stripe.CardError as exc:
        circuit_breaker.record_success()
        raise CardDeclinedError(
            exc.user_message or "The card was declined.", decline_code=exc.code or "card_declined"
        ) from exc
    except TRANSIENT_ERRORS as exc:
        circuit_breaker.record_failure()
        logger.warning("stripe call failed", extra={"operation": operation, "error": type(exc).__name__})
        raise PaymentGatewayUnavailableError(f"Stripe {operation} failed: {type(exc).__name__}") from exc
    except stripe.StripeError as exc:
        circuit_breaker.record_success()
        raise PaymentError(f"Stripe refused {operation}: {exc.user_message or exc}") from exc
    circuit_breaker.record_success()
    return result.to_dict() if hasattr(result, "to_dict") else result


def _answer(method: str, path: str, **params) -> dict:
    """Stripe's answer as the plain dict the callers use. The SDK's typed calls build a
    StripeObject for every nested field of the answer, which `_call` turned back into
    a dict: together more CPU than the HTTP call itself, at two calls a card order
    (profiled, issue 20). A raw request through the same client parses the JSON only;
    errors are raised as the typed calls raise them."""
    return client().raw_request(method, path, **params).data


def create_payment_intent(
    *, amount: Decimal, currency: str, customer_id: str, payment_method_id: str, idempotency_key: str, metadata: dict
) -> dict:
    """Create an unconfirmed PaymentIntent for the card on file."""
    return _call(
        "create PaymentIntent",
        _answer,
        "post",
        "/v1/payment_intents",
        amount=to_minor_units(amount),
        currency=currency.lower(),
        customer=customer_id,
        payment_method=payment_method_id,
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def confirm_payment_intent(payment_intent_id: str, *, idempotency_key: str) -> dict:
    """Confirm the PaymentIntent against its card; raise CardDeclinedError on a decline."""
    return _call(
        "confirm PaymentIntent",
        _answer,
        "post",
        f"/v1/payment_intents/{quote(payment_intent_id, safe='')}/confirm",
        idempotency_key=idempotency_key,
    )


def retrieve_payment_intent(payment_intent_id: str) -> dict:
    return _call("retrieve PaymentIntent", _answer, "get", f"/v1/payment_intents/{quote(payment_intent_id, safe='')}")


def cancel_payment_intent(payment_intent_id: str) -> dict:
    return _call("cancel PaymentIntent", client().v1.payment_intents.cancel, payment_intent_id)


def refund_payment_intent(payment_intent_id: str, *, idempotency_key: str, intent: dict | None = None) -> str:
    """Refund a succeeded PaymentIntent in full and return the refund id. Ask Stripe
    first whether it is refunded already (a retry after a crash must not refund
    twice; the stand-in ignores idempotency keys); `intent` is the PaymentIntent
    if the caller has just read it."""
    intent = intent or retrieve_payment_intent(payment_intent_id)
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):  # expanded, as the stand-in returns it
        existing = (charge.get("refunds") or {}).get("data") or []
    elif charge:
        existing = (
            _call("list refunds", client().v1.refunds.list, params={"payment_intent": payment_intent_id}).get("data")
            or []
        )
    else:
        existing = []
    if existing:
        return existing[0]["id"]
    refund = _call(
        "refund",
        client().v1.refunds.create,
        params={"payment_intent": payment_intent_id},
        options={"idempotency_key": idempotency_key},
    )
    return refund["id"]


def find_customer(customer_id: str) -> dict | None:
    """Return the customer, or None when Stripe does not know it (the stand-in starts
    empty each time)."""
    try:
        return _call("retrieve customer", client().v1.customers.retrieve, customer_id)
    except PaymentError as exc:
        if isinstance(exc.__cause__, stripe.InvalidRequestError):
            return None
        raise


def create_customer(*, name: str, email: str, reference: str) -> dict:
    params = {"name": name, "metadata": {"partner": reference}, **({"email": email} if email else {})}
    return _call("create customer", client().v1.customers.create, params=params)


def create_setup_intent(*, customer_id: str, reference: str) -> dict:
    """A SetupIntent for a card the customer will be charged with off-session."""
    params = {
        "customer": customer_id,
        "usage": "off_session",
        "payment_method_types": ["card"],
        "metadata": {"partner": reference},
    }
    return _call("create SetupIntent", client().v1.setup_intents.create, params=params)


def retrieve_setup_intent(setup_intent_id: str) -> dict:
    """The SetupIntent with its payment method expanded; PaymentError (caused by
    stripe.InvalidRequestError) when Stripe knows no such SetupIntent."""
    return _call(
        "retrieve SetupIntent",
        client().v1.setup_intents.retrieve,
        setup_intent_id,
        params={"expand": ["payment_method"]},
    )


def confirm_setup_intent(setup_intent_id: str, *, payment_method_id: str) -> dict:
    return _call(
        "confirm SetupIntent",
        client().v1.setup_intents.confirm,
        setup_intent_id,
        params={"payment_method": payment_method_id},
    )


def attach_payment_method(payment_method_id: str, *, customer_id: str) -> dict:
    return _call(
        "attach payment method", client().v1.payment_methods.attach, payment_method_id, params={"customer": customer_id}
    )


def set_default_payment_method(customer_id: str, payment_method_id: str) -> dict:
    """The customer's default for invoices and off-session charges, at Stripe."""
    return _call(
        "set default payment method",
        client().v1.customers.update,
        customer_id,
        params={"invoice_settings": {"default_payment_method": payment_method_id}},
    )


__all__ = [
    "CardDeclinedError",
    "PaymentGatewayUnavailableError",
    "cancel_payment_intent",
    "confirm_payment_intent",
    "attach_payment_method",
    "confirm_setup_intent",
    "create_customer",
    "create_setup_intent",
    "create_payment_intent",
    "find_customer",
    "refund_payment_intent",
    "retrieve_payment_intent",
    "retrieve_setup_intent",
    "set_default_payment_method",
]
