"""The environment a measurement runs the platform in: `make run`'s defaults
(dev.env), with a database, a Redis database and a Stripe stand-in of the bench's own,
and production's settings where one machine allows them."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "bouquet_bench"
# Another port where something else holds 8440 (e.g. a test run's stand-in).
STAND_IN_PORT = int(os.environ.get("BENCH_STAND_IN_PORT", 8440))


def read_dev_env() -> dict[str, str]:
    """Return the local defaults of `make run` (dev.env, which honcho reads too)."""
    values = {}
    for line in (ROOT / "dev.env").read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def with_path(url: str, path: str) -> str:
    """The same server and credentials, another database: `/bouquet_bench`, `/2`."""
    return urlsplit(url)._replace(path=path).geturl()


def production_on_one_machine() -> dict[str, str]:
    """The settings that make the platform run as production does on one machine, for
    a measurement (the bench, scripts/profile_intake.py)."""
    return {
        # As production runs (DEBUG off), so the platform refuses dev.env's public
        # secrets (config/checks.py): each run makes its own.
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STRIPE_SECRET_KEY": f"sk_test_{secrets.token_hex(16)}",
        "STRIPE_WEBHOOK_SECRET": f"whsec_{secrets.token_hex(16)}",
        # What production has and one machine does not: the stand-in speaks plain HTTP
        # on 127.0.0.1, Redis has no password there, and no TLS proxy stands in front.
        "STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL": "1",
        "BENCHMARK_ON_ONE_MACHINE": "1",
        "BEHIND_TLS_PROXY": "0",
        # A measurement is of the platform, not of its rate limits. The bench's 500
        # orders/s over 200 partners is some 150 a minute each, within the default
        # 1,200, but no figure (nor a chaos client's retries) may ever include a 429.
        "THROTTLE_ORDER_INTAKE_RATE": "1000000/min",
        "THROTTLE_EVENT_FEED_RATE": "1000000/min",
        "THROTTLE_API_RATE": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


DEV_ENV = read_dev_env()
# make run's defaults, with a database, a Redis database and a stand-in of the bench's
# own, so a bench beside a `make run` or a test run disturbs neither.
BENCH_ENV = {
    **DEV_ENV,
    "DATABASE_URL": with_path(DEV_ENV["DATABASE_URL"], f"/{BENCH_DATABASE}"),
    "REDIS_URL": with_path(DEV_ENV["REDIS_URL"], "/2"),
    "STRIPE_API_BASE": f"http://127.0.0.1:{STAND_IN_PORT}",
    **production_on_one_machine(),
    "BENCH_CEILING_VIEW": "1",
}
