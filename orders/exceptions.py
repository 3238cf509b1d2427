from config.errors import ConflictError, DomainError, NotFoundError, UnprocessableError


class OrderError(DomainError):
    code = "order_error"


class OrderValidationError(OrderError):
    """The order as sent cannot be read: a shape the API's schema refuses (a wrong
    type, a missing line, a quantity out of range, an unknown field) or, from the
    portal and CSV doors, text that is no date or number. `errors` names each field or
    line at fault. The API answers 400."""

    code = "invalid_order"


class OrderRefusedError(UnprocessableError, OrderValidationError):
    """The order is well-formed but a rule refuses it: an unknown or inactive SKU, a
    quantity off the case pack or under the minimum, a delivery date in the past,
    an address that is not the partner's, an inactive or unknown partner. The API
    answers 422 (a schema-valid request is never 400); the portal and CSV doors catch
    it as the OrderValidationError it also is, and show it as any invalid order."""

    code = "invalid_order"


class DeliveryDateUnavailableError(OrderRefusedError):
    """The date asked for is not one the route of the order's address can still
    deliver on (fulfillment.promise): `field`, `date`, `reason` (no_delivery_day,
    holiday, cutoff_passed, too_far_ahead) and `next_available` say which, why, and
    what to ask for instead."""

    code = "delivery_date_unavailable"


class OrderTooLargeError(UnprocessableError, OrderError):
    """A line's total, or the order's, is more than its column holds, or the order's
    total more than the partner may order at once (orders.limits). An OrderError, so
    a CSV upload reports it on the rows behind the order."""

    code = "order_too_large"


class OpenOrdersLimitError(UnprocessableError, OrderError):
    """The order would take the partner's open orders past its open-order limit
    (orders.limits)."""

    code = "open_orders_limit"


class InvalidCursorError(UnprocessableError, OrderError):
    """An `after` the event feed never served to this caller: well-formed (a whole
    number) but naming no event of theirs, so the API answers 422."""

    code = "invalid_cursor"


class OrderNotFoundError(NotFoundError):
    code = "order_not_found"


class InvalidTransitionError(OrderError):
    code = "invalid_transition"


class NotCancellableError(ConflictError):
    code = "not_cancellable"


class NotDispatchableError(ConflictError):
    code = "not_dispatchable"


class NotHeldError(ConflictError):
    code = "not_on_hold"


class IdempotencyKeyRequiredError(OrderError):
    code = "idempotency_key_required"


class IdempotencyKeyReusedError(UnprocessableError, OrderError):
    """The key was used before with a different request body, or for an order the
    caller may not see (orders.idempotency `check_replay_visible`). An OrderError, so
    a CSV upload reports it on the rows behind the order instead of failing whole."""

    code = "idempotency_key_reused"


class IdempotencyKeyInFlightError(ConflictError):
    """The first request with this key is still being processed."""

    code = "idempotency_key_in_flight"


class CsvFileError(OrderError):
    """A CSV upload cannot be read as order lines at all (encoding, size, empty, columns);
    nothing is stored or placed."""

    code = "invalid_csv"


class DuplicateCsvUploadError(ConflictError):
    """The partner uploaded this very file before (same content hash); `upload_id` names
    the first upload."""

    code = "duplicate_upload"


class CampaignPrebookOnlyError(OrderRefusedError):
    """The order asks for a campaign's product on the campaign's date before its first
    committed allocation run: that date sells only through pre-books until then.
    `campaign` names it and `prebook_url` points to its pre-book page."""

    code = "campaign_prebook_only"


class CampaignNotFoundError(NotFoundError):
    code = "campaign_not_found"


class InvalidCampaignError(UnprocessableError):
    """A campaign as sent breaks a rule (dates, products, caps); `errors` names each field."""

    code = "invalid_campaign"


class CampaignAllocatedError(ConflictError):
    """The campaign has a committed allocation run: its date, window and products are fixed."""

    code = "campaign_allocated"


class PrebookNotFoundError(NotFoundError):
    code = "prebook_not_found"


class InvalidPrebookError(UnprocessableError):
    """A pre-book's lines or ship-to break a rule; `errors` names each line and SKU."""

    code = "invalid_prebook"


class PrebookWindowClosedError(UnprocessableError):
    """Outside the campaign's pre-booking window (or after its first committed run)."""

    code = "prebook_window_closed"


class PrebookCapExceededError(UnprocessableError):
    """The partner's open pre-books for a product would pass its cap; `errors` names
    each SKU with its cap and what is left."""

    code = "prebook_cap_exceeded"


class AllocationSupplyChangedError(ConflictError):
    """The stock an allocation counted could not be reserved in full: run it again."""

    code = "allocation_supply_changed"
