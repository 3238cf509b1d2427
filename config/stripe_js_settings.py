"""Where the portal's payment page loads Stripe.js from, and the key it gives it: from
the environment, kept apart from config/settings.py for length. Stripe's own script in
production; in development and tests the Stripe stand-in (localstripe) serves one at
`<its address>/js.stripe.com/v3/`, which talks to the stand-in instead of Stripe."""

import os

STRIPE_OWN_JS_URL = "https://js.stripe.com/v3/"
STRIPE_OWN_API_BASE = "https://api.stripe.com"


def stripe_js_url() -> str:
    """STRIPE_JS_URL; unset, the script of the Stripe that STRIPE_API_BASE names:
    Stripe's own for Stripe's API, the stand-in's for a stand-in."""
    configured = os.environ.get("STRIPE_JS_URL", "").strip()
    if configured:
        return configured
    # config/settings.py's default API base is the stand-in's, as here.
    api_base = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420").strip().rstrip("/")
    if api_base == STRIPE_OWN_API_BASE:
        return STRIPE_OWN_JS_URL
    return f"{api_base}/js.stripe.com/v3/"


STRIPE_JS_URL = stripe_js_url()
# Publishable: the browser holds it. The stand-in accepts any key starting "pk_".
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_bouquetlocalstripe0000000000")
