"""The Idempotency-Key's whole life (docs/ARCHITECTURE.md, invariant 4): one key per
partner creates at most one order; a replay with the same body returns the first
answer; the same key with another body is refused (422); a replay while the first is
in flight gets 409.

- `clean_idempotency_key` checks the key a client sent;
- `fingerprint_request` tells a replay from a reused key;
- `claim_idempotency_key` claims it inside the intake transaction (intake writes the
  record in the same statement as the order);
- `check_replay_visible` refuses a buyer the replay of an order they may not see;
- CSV uploads derive a key per order from the file's hash (`csv_key_prefix`), and the
  portal's checkout one per cart;
- `purge_idempotency_records` (the sweeper) forgets keys after
  IDEMPOTENCY_KEY_TTL_HOURS, sparing those a failed file still needs."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from config.limits import matches_pattern
from orders.exceptions import IdempotencyKeyInFlightError, IdempotencyKeyReusedError, OrderValidationError
from orders.models import CsvUpload, IdempotencyRecord, Order
from partners.models import Partner
from partners.roles import orders_limited_to

MAX_KEY_LENGTH = 255
# A key is an opaque token of printable ASCII (spaces inside only: an HTTP server trims
# them at either end, so a key that had them would not be the key the client kept).
# The API's schema declares this very pattern, so what it admits the server accepts.
KEY_PATTERN = rf"^[!-~]([ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?$"


# The keys a committed campaign run gives its orders (orders.campaign_orders): a
# client's key there would make the run's own insert fail.
RESERVED_KEY_PREFIX = "campaign:"


def clean_idempotency_key(key: str) -> str:
    """Return the key, or raise OrderValidationError when it does not match
    KEY_PATTERN (1 to MAX_KEY_LENGTH printable ASCII characters) or starts with the
    prefix kept for campaign runs' orders."""
    if not matches_pattern(KEY_PATTERN, key):
        raise OrderValidationError(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, with no space at either end.",
            code="invalid_idempotency_key",
        )
    if key.startswith(RESERVED_KEY_PREFIX):
        raise OrderValidationError(
            f"Idempotency-Key may not start with {RESERVED_KEY_PREFIX!r}: those keys are kept for the orders of "
            "campaign allocation runs.",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint_request(payload: object) -> str:
    """A stable digest of a request body, to tell a replay from a reused key."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


_CLAIM_KEY_SQL = """
SELECT pg_try_advisory_xact_lock(hashtextextended(%(lock)s, 0)), r.fingerprint, r.order_id, r.response
  FROM (SELECT 1) AS one
  LEFT JOIN orders_idempotencyrecord r ON r.partner_id = %(partner)s AND r.key = %(key)s
"""


def claim_idempotency_key(partner: Partner, key: str, fingerprint: str) -> tuple[int, dict] | None:
    """Inside a transaction: return (order id, stored answer) for a replay, or None if
    the key is new. Raise if the key is in flight or was used for another body.

    The advisory lock is held until the transaction ends, so a concurrent request with
    the same key cannot take it and is told the first is in flight. (If the first
    commits between this statement's snapshot and its lock, the record is not seen
    here and the unique constraint stops the second insert: still one order.) Intake
    claims the key in its one statement instead (orders.intake, `key_lock_name` and
    `replay_from_claim`); this is for the refusals it then checks for a replay."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_KEY_SQL, {"lock": key_lock_name(partner, key), "partner": partner.id, "key": key})
        locked, stored_fingerprint, order_id, response = cursor.fetchone()
    return replay_from_claim(
        locked=locked,
        stored_fingerprint=stored_fingerprint,
        order_id=order_id,
        response=response,
        key=key,
        fingerprint=fingerprint,
    )


def key_lock_name(partner: Partner, key: str) -> str:
    """The name of the advisory lock that claims the key (hashed by the SQL that takes it)."""
    return f"idempotency:{partner.id}:{key}"


def replay_from_claim(
    *, locked: bool, stored_fingerprint: str | None, order_id: int | None, response, key: str, fingerprint: str
) -> tuple[int, dict] | None:
    """Return (order id, stored answer) when a claim found the key placed an order
    with this very request, None when the key is new; raise when its lock was not
    taken (in flight) or it was used with another body."""
    if not locked:
        raise IdempotencyKeyInFlightError(
            f"A request with Idempotency-Key {key!r} is still being processed; retry shortly."
        )
    if stored_fingerprint is None:
        return None
    if stored_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(f"Idempotency-Key {key!r} was already used with a different request body.")
    return order_id, response if isinstance(response, dict) else json.loads(response)


def check_replay_visible(*, user, order: Order, key: str) -> None:
    """Raise IdempotencyKeyReusedError when `order`, which the key placed, is one the
    user may not see (partners.roles): a buyer sending the key of an order another
    user of the company placed. Keys are scoped per partner, so without this the
    replay would hand the buyer that order's number, lines and total. Called on a
    replay only, so a first intake pays nothing for it: `order` is loaded by then, and
    the API and the portal load `user` with its membership."""
    limited_to = orders_limited_to(user)
    if limited_to is None or order.placed_by_id == limited_to.pk:
        return
    # The same refusal as another body under the key: saying nothing of the order.
    raise IdempotencyKeyReusedError(
        f"Idempotency-Key {key!r} was already used for another order of your company; send a new key for a new order."
    )


# An order a file placed carries the key `csv:<content hash>:<its index in the file>`,
# so any later run of the same bytes (a slice, a retry, a fresh upload of a file that
# failed) recognises it.
CSV_KEY_PREFIX = "csv:"


def csv_key_prefix(content_hash: str) -> str:
    return f"{CSV_KEY_PREFIX}{content_hash}:"


def keys_kept_for_failed_files() -> Q:
    """The idempotency records that purging by age must spare: those of a file whose
    upload failed part-way and that no upload of the same bytes has finished since.
    A re-upload, however late, needs them to skip the orders the failed run placed."""

    def uploads_of_the_file(status):
        return CsvUpload.objects.filter(
            partner_id=OuterRef("partner_id"),
            status=status,
            content_hash=Substr(
                OuterRef("key"), len(CSV_KEY_PREFIX) + 1, CsvUpload._meta.get_field("content_hash").max_length
            ),
        )

    return (
        Q(key__startswith=CSV_KEY_PREFIX)
        & Exists(uploads_of_the_file(CsvUpload.Status.FAILED))
        & ~Exists(uploads_of_the_file(CsvUpload.Status.DONE))
    )


def purge_idempotency_records() -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL_HOURS (at least 24 h), except those
    a failed CSV file still needs; return how many went."""
    cutoff = timezone.now() - timedelta(hours=settings.BOUQUET["IDEMPOTENCY_KEY_TTL_HOURS"])
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).exclude(keys_kept_for_failed_files()).delete()
    return deleted
