"""dj-stripe's settings and the Stripe mirror's pace (docs/ARCHITECTURE.md, "The Stripe
mirror"), from the environment, kept apart from config/settings.py for length.

dj-stripe holds the back office's copy of Stripe's objects; it is filled from the
events our own webhook stores, by `manage.py run_stripe_mirror`. Its webhook view is
not mounted, so it needs no webhook secret of its own."""

import os

# Where the portal's payment page loads Stripe.js from, and its publishable key.
from config.stripe_js_settings import STRIPE_JS_URL, STRIPE_PUBLISHABLE_KEY  # noqa: F401

# dj-stripe 2.11 requires it: its foreign keys point at Stripe's ids.
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
STRIPE_LIVE_MODE = os.environ.get("STRIPE_LIVE_MODE", "").strip().lower() in {"1", "true", "yes", "on"}
# The same key the gateway uses (config/settings.py's STRIPE_SECRET_KEY): dj-stripe reads
# its key by mode, and finds the mirror's Stripe account row by it.
_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_bouquetlocalstripe0000000000")
STRIPE_TEST_SECRET_KEY = "" if STRIPE_LIVE_MODE else _SECRET_KEY
STRIPE_LIVE_SECRET_KEY = _SECRET_KEY if STRIPE_LIVE_MODE else ""

# The Stripe account the mirrored rows belong to. Stored once by the mirror, so that
# dj-stripe does not fetch it (the stand-in serves no /v1/account).
STRIPE_ACCOUNT_ID = os.environ.get("STRIPE_ACCOUNT_ID") or "acct_bouquet_local"

# dj-stripe's migrations (62 tables) take about 50 s to apply, far more on a loaded
# machine, and every test database pays it: the tests create its tables with one
# migration made from its models instead (tests/support/services.py sets this; one slow
# test, tests/payments/test_djstripe_migrations.py, still applies dj-stripe's own).
if os.environ.get("DJSTRIPE_TABLES_FROM_MODELS") == "1":
    MIGRATION_MODULES = {"djstripe": "tests.support.djstripe.migrations"}

STRIPE_MIRROR = {
    # Stored events mirrored per transaction: small, so a batch holds its locks briefly
    # and a pause takes effect within one batch.
    "BATCH_SIZE": int(os.environ.get("STRIPE_MIRROR_BATCH_SIZE") or 20),
    # How long the mirror sleeps when nothing waits, or while paused, before it looks again.
    "IDLE_SECONDS": float(os.environ.get("STRIPE_MIRROR_IDLE_SECONDS") or 5),
    # Events a minute from which the mirror waits for a quiet moment: a peak's card orders
    # bring one or two each, and its CPU is theirs then (payments/mirror.py EventArrivals).
    "PEAK_EVENTS_PER_MINUTE": int(os.environ.get("STRIPE_MIRROR_PEAK_EVENTS_PER_MINUTE") or 300),
    # Orders a minute from which it waits too: a peak of orders on account, or intake
    # alone, brings no event, and the mirror's catch-up would take CPU from it.
    "PEAK_ORDERS_PER_MINUTE": int(os.environ.get("STRIPE_MIRROR_PEAK_ORDERS_PER_MINUTE") or 600),
    # ...but never further behind than this: past it, it mirrors at peak too, at its low priority.
    "MAX_LAG_SECONDS": int(os.environ.get("STRIPE_MIRROR_MAX_LAG_SECONDS") or 1800),
    # Its CPU priority below the web tier's and the journey's (0 to 19).
    "NICENESS": int(os.environ.get("STRIPE_MIRROR_NICENESS") or 19),
    # The reconciliation compares this many hours of Stripe's objects with our payments.
    "RECONCILE_HOURS": int(os.environ.get("STRIPE_RECONCILE_HOURS") or 24),
}
