"""The Stripe mirror: dj-stripe's models (customers, payment methods, PaymentIntents,
charges, refunds, disputes) filled from the events our webhook stored, off the hot
path (docs/ARCHITECTURE.md, "The Stripe mirror").

The webhook only records (journey/payment_events.py); `manage.py run_stripe_mirror`, a
process of its own at the lowest CPU priority, calls `mirror_waiting_events` in small
batches while `mirror_paused()` is false, and while Stripe's events come slower than a
peak brings them (`EventArrivals`): at peak it waits for a quiet moment, at most
`MAX_LAG_SECONDS` behind, so its CPU goes to orders when they need it. Each event is mirrored in a transaction of
its own and marked done, or failed with its reason, so a payload it cannot read never
blocks the ones behind it, and a pause only leaves events waiting."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import stripe
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from djstripe.models import Account, APIKey, Charge, Customer, Dispute, PaymentIntent, PaymentMethod, Refund
from redis.exceptions import RedisError

from config.intake_minutes import minute_counts
from payments.disputes import mark_payment_disputed
from payments.models import MirrorSwitch, StripeEvent

logger = logging.getLogger("bouquet.payments.mirror")

# The kinds of Stripe object the back office sees, by the `object` of an event's payload.
MIRRORED_MODELS = {
    "customer": Customer,
    "payment_method": PaymentMethod,
    "payment_intent": PaymentIntent,
    "charge": Charge,
    "refund": Refund,
    "dispute": Dispute,
}
# References the mirror does not follow: dj-stripe would fetch each from Stripe (no event
# carries it whole), one call per charge, refund or dispute, for fees the back office does not
# show. The row's `stripe_data` keeps the id.
NOT_FETCHED = {kind: ("balance_transaction",) for kind in ("charge", "refund", "dispute")}
DISPUTE_OPENED = "charge.dispute.created"
MAX_ERROR_LENGTH = 2000


class UnreadableEvent(ValueError):
    """An event's payload carries no Stripe object the mirror can read."""


@dataclass(frozen=True)
class MirrorBatch:
    mirrored: int = 0
    skipped: int = 0
    failed: int = 0
    # Left waiting because Stripe could not be reached for an object the payload lacks.
    deferred: int = 0
    paused: bool = False
    # Events come at a peak's pace: the mirror waits for a quiet moment (EventArrivals).
    waiting_for_quiet: bool = False

    @property
    def handled(self) -> int:
        return self.mirrored + self.skipped + self.failed


def mirror_paused() -> bool:
    """One primary-key read: the mirror checks it before every batch."""
    return MirrorSwitch.objects.filter(id=1, paused=True).exists()


def set_mirror_paused(paused: bool) -> None:
    MirrorSwitch.objects.update_or_create(id=1, defaults={"paused": paused})
    logger.info("stripe mirror %s", "paused" if paused else "resumed")


def prepare_mirror() -> None:
    """What dj-stripe needs before it syncs without asking Stripe: the account its rows
    belong to and our API key, stored (dj-stripe would otherwise fetch the account for
    the key, a call the stand-in does not serve), and the Stripe address and timeout
    for the calls it does make (module-wide in the SDK: this runs in the mirror's own
    process; the gateway passes its own to each client)."""
    stripe.api_base = settings.STRIPE_API_BASE
    stripe.default_http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    account, _ = Account.objects.get_or_create(
        id=settings.STRIPE_ACCOUNT_ID, defaults={"livemode": settings.STRIPE_LIVE_MODE}
    )
    key, _ = APIKey.objects.get_or_create_by_api_key(settings.STRIPE_SECRET_KEY)
    if key.djstripe_owner_account_id != account.id:
        key.djstripe_owner_account = account
        key.save(update_fields=["djstripe_owner_account"])


@dataclass
class EventArrivals:
    """Whether the platform is at a peak, as the mirror judges it before each batch:
    Stripe's events in the last PEAK_WINDOW_SECONDS, as this mirror process sees them
    (those it mirrored, their arrival times kept here, and those still waiting, counted
    on the waiting events' index), or the orders intake answered in the last minute
    (config.intake_minutes, which every web process adds to in Redis). No index over
    every event, and nothing on the webhook's or intake's path: the mirror is the only
    one asking."""

    mirrored: list[datetime] = field(default_factory=list)

    def note(self, received: list[datetime]) -> None:
        self.mirrored.extend(received)

    def at_peak(self, now: datetime) -> bool:
        """Whether events come at STRIPE_MIRROR's PEAK_EVENTS_PER_MINUTE pace or faster
        (over a short window: a peak's first seconds already find the mirror waiting), or
        orders at PEAK_ORDERS_PER_MINUTE (a peak of orders paid on account, or intake
        alone, brings no events, and the mirror's catch-up took half a core from it);
        unless the oldest waiting event is MAX_LAG_SECONDS old: then the mirror goes on
        anyway, at its low priority, so it never falls behind for a whole day."""
        window_start = now - timedelta(seconds=PEAK_WINDOW_SECONDS)
        self.mirrored = [at for at in self.mirrored if at >= window_start]
        waiting = StripeEvent.objects.filter(mirrored_at__isnull=True)
        events = len(self.mirrored) + waiting.filter(received_at__gte=window_start).count()
        if events < _peak_events_in_window() and orders_taken_lately(now) < _peak_orders_per_minute():
            return False
        overdue = now - timedelta(seconds=settings.STRIPE_MIRROR["MAX_LAG_SECONDS"])
        return not waiting.filter(received_at__lt=overdue).exists()


def orders_taken_lately(now: datetime) -> int:
    """Orders intake answered in the last whole minute or in this one so far, whichever
    is more (one Redis round trip); 0 when Redis cannot tell."""
    minute = int(now.timestamp()) // 60 * 60
    try:
        counts = minute_counts([minute - 60, minute])
    except RedisError:
        return 0
    return max(sum(by_bucket.values()) for by_bucket in counts.values())


PEAK_WINDOW_SECONDS = 10


def _peak_orders_per_minute() -> int:
    return settings.STRIPE_MIRROR["PEAK_ORDERS_PER_MINUTE"]


def _peak_events_in_window() -> int:
    return max(1, settings.STRIPE_MIRROR["PEAK_EVENTS_PER_MINUTE"] * PEAK_WINDOW_SECONDS // 60)


def mirror_waiting_events(*, batch_size: int | None = None, arrivals: EventArrivals | None = None) -> MirrorBatch:
    """Mirror up to `batch_size` stored events not yet mirrored, oldest first; with
    `arrivals`, only outside a peak of them."""
    if mirror_paused():
        return MirrorBatch(paused=True)
    if arrivals is not None and arrivals.at_peak(timezone.now()):
        return MirrorBatch(waiting_for_quiet=True)
    batch_size = batch_size or settings.STRIPE_MIRROR["BATCH_SIZE"]
    waiting = list(
        StripeEvent.objects.filter(mirrored_at__isnull=True)
        .order_by("received_at", "id")
        .values_list("id", "received_at")[:batch_size]
    )
    if arrivals is not None:
        arrivals.note([received_at for _event_id, received_at in waiting])
    counts = {"mirrored": 0, "skipped": 0, "failed": 0, "deferred": 0}
    for event_id, _received_at in waiting:
        outcome = _mirror_one(event_id)
        if outcome:
            counts[outcome] += 1
        if outcome == "deferred":
            break  # Stripe is unreachable: the rest would wait on it too
    return MirrorBatch(**counts)


def _mirror_one(event_id: str) -> str | None:
    """Mirror one event in a transaction of its own; None if another mirror has it.
    An event is marked done or failed, or left waiting ("deferred") while Stripe
    cannot be reached."""
    with transaction.atomic():
        event = (
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(id=event_id, mirrored_at__isnull=True)
            .first()
        )
        if event is None:
            return None
        try:
            with transaction.atomic():
                outcome = mirror_event(event)
            event.mirror_error = ""
        except (OperationalError, InterfaceError):
            raise  # the database is unreachable: the event stays waiting, for the next run
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            logger.warning("stripe event deferred", extra={"event": event.id, "error": type(exc).__name__})
            return "deferred"  # nothing written: it waits, in its place, for the next batch
        except (UnreadableEvent, DatabaseError, stripe.StripeError, LookupError, TypeError, ValueError) as exc:
            outcome = "failed"
            event.mirror_error = f"event {event.id}: {type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
            logger.warning("stripe event not mirrored", extra={"event": event.id, "error": event.mirror_error})
        event.mirrored_at = timezone.now()
        event.save(update_fields=["mirrored_at", "mirror_error"])
    return outcome


def mirror_event(event: StripeEvent) -> str:
    """Write the event's object into dj-stripe's model for its kind, from the payload.
    Return "mirrored", or "skipped" for a kind the back office does not keep."""
    data = stripe_object_of(event)
    model = MIRRORED_MODELS.get(data["object"])
    if model is None:
        return "skipped"
    sync_from_payload(model, data)
    # What the payload carries whole is mirrored from it: a PaymentIntent's charges (which
    # dj-stripe would not sync), a charge's refunds.
    for kind, nested in (("charges", Charge), ("refunds", Refund)):
        for embedded in (data.get(kind) or {}).get("data") or ():
            sync_from_payload(nested, embedded)
    if event.type == DISPUTE_OPENED:
        mark_payment_disputed(dispute=data, opened_at=_event_time(event))
    return "mirrored"


def sync_from_payload(model, data: dict) -> None:
    """dj-stripe's sync of one object, without following the references in NOT_FETCHED.
    It asks Stripe only for a referenced object neither mirrored yet nor in the payload:
    with the events Stripe sends, a payment method (once per card)."""
    left_out = [name for name in NOT_FETCHED.get(data["object"], ()) if isinstance(data.get(name), str)]
    row = model.sync_from_stripe_data({**data, **dict.fromkeys(left_out)}, api_key=settings.STRIPE_SECRET_KEY)
    if left_out:
        model.objects.filter(id=row.id).update(stripe_data=data)


def stripe_object_of(event: StripeEvent) -> dict:
    payload = event.payload if isinstance(event.payload, dict) else {}
    data = (payload.get("data") or {}).get("object") if isinstance(payload.get("data"), dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("object"), str) or not data.get("id"):
        raise UnreadableEvent("the payload has no data.object with an id and an object type")
    return data


def _event_time(event: StripeEvent):
    created = event.payload.get("created")
    if isinstance(created, int):
        return datetime.fromtimestamp(created, tz=UTC)
    return event.received_at
