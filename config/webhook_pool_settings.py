"""The settings of the webhook pool (the Procfile's `webhooks`, bouquet-webhooks.service,
the bench's `gunicorn-webhooks`; config/webhook_wsgi.py loads them): the web pool's,
serving Stripe's webhook and the health checks alone, with only the middleware they
need.

A webhook comes from Stripe, not from a person: no session, user, message, CSRF token,
sign-in lockout, staff session or page policy has anything to do with it, and the web
pool's fourteen middleware were a fifth of a webhook's CPU (1.7 instead of 2.1 ms a
webhook in one process). What stays: shedding first (the pool's own 5 s bound), the
security headers, and the 503 while PostgreSQL is unreachable. Because the pool skips
the middleware that people's doors rely on, it serves no door of theirs: every other
address is 404 here (nginx sends only the webhook to the pool; config/webhook_urls.py)."""

from config.settings import *  # noqa: F403 (the web pool's settings, changed below)

ROOT_URLCONF = "config.webhook_urls"
MIDDLEWARE = [
    "config.shedding.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.unavailable.DependencyUnavailableMiddleware",
]
# No API here: one chain for every request (config/machine_door.py).
MACHINE_MIDDLEWARE = MIDDLEWARE
