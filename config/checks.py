"""Production starts only with production settings (docs/SECURITY.md).

With DEBUG off, `manage.py check --deploy` fails with an error for each development
value still in place, and gunicorn (config/wsgi.py) and `manage.py run_workers` refuse
to start: Django runs no check under either. django-q2 signs the pickled tasks it
reads from Redis with SECRET_KEY, so the public development key would let anyone who
can write to Redis run code in the workers."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# The fallbacks of config/settings.py, which are dev.env's values too: public, in git.
DEVELOPMENT_VALUES = {
    "SECRET_KEY": "bouquet-development-only-secret-key-change-me-in-production",
    "STRIPE_SECRET_KEY": "sk_test_bouquetlocalstripe0000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_bouquetlocal",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _is_local(url: str) -> bool:
    return urlsplit(url).hostname in LOCAL_HOSTS


def _plain_http_problem(name: str, what_travels: str, allowed: str) -> str | None:
    """The setting `name`, a URL, must be https:// but for a stand-in on this machine
    where STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL allows it (`allowed` says how)."""
    url = getattr(settings, name)
    if urlsplit(url).scheme == "https":
        return None
    if settings.STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL and _is_local(url):
        return None
    return f"{name} is {url!r}: {what_travels} without TLS. {allowed}"


def _stripe_base_problem() -> str | None:
    return _plain_http_problem(
        "STRIPE_API_BASE",
        "the Stripe secret key would travel",
        "Use https://; only STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL=1 allows plain HTTP, and to 127.0.0.1 or "
        "localhost only.",
    )


def _stripe_js_problem() -> str | None:
    return _plain_http_problem(
        "STRIPE_JS_URL",
        "the payment page would load the script that takes card numbers",
        "Use Stripe's https://js.stripe.com/v3/; only STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL=1 allows a "
        "plain-HTTP stand-in, on 127.0.0.1 or localhost.",
    )


def _redis_problem() -> str | None:
    url = settings.REDIS_URL
    if urlsplit(url).password:
        return None
    if settings.BENCHMARK_ON_ONE_MACHINE and _is_local(url):
        return None
    return (
        "REDIS_URL has no password: anyone who reaches Redis can queue tasks for the workers. Use "
        "redis://:PASSWORD@host/db (or rediss://)."
    )


# Long enough that guessing it over HTTP is hopeless (`secrets.token_urlsafe()` gives 43).
METRICS_TOKEN_MIN_LENGTH = 16


def _metrics_token_problem() -> str | None:
    if len(settings.METRICS_TOKEN) >= METRICS_TOKEN_MIN_LENGTH:
        return None
    state = "is not set" if not settings.METRICS_TOKEN else f"is shorter than {METRICS_TOKEN_MIN_LENGTH} characters"
    return (
        f"METRICS_TOKEN {state}: Prometheus reads /metrics (and manage.py serve_metrics) with it as a bearer "
        f"token. Set a random one of at least {METRICS_TOKEN_MIN_LENGTH} characters."
    )


def development_values() -> list[str]:
    """One sentence per setting that must not reach production, naming the setting."""
    problems = [
        f"{name} is the development value from config/settings.py and dev.env, which is public; set a secret one."
        for name, value in DEVELOPMENT_VALUES.items()
        if getattr(settings, name) == value
    ]
    problems += [
        problem
        for problem in (_stripe_base_problem(), _stripe_js_problem(), _redis_problem(), _metrics_token_problem())
        if problem
    ]
    if settings.BENCH_CEILING_VIEW and not settings.BENCHMARK_ON_ONE_MACHINE:
        problems.append(
            "BENCH_CEILING_VIEW mounts an unauthenticated insert view; with DEBUG off only a benchmark run "
            "(BENCHMARK_ON_ONE_MACHINE=1) may turn it on."
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs) -> list[checks.Error]:
    if settings.DEBUG:
        return []
    return [checks.Error(problem, id="bouquet.E001") for problem in development_values()]


def refuse_to_start_with_development_values() -> None:
    """Raise ImproperlyConfigured, naming every problem, when DEBUG is off and a
    development value is set: gunicorn and run_workers call this before serving."""
    if settings.DEBUG:
        return
    if problems := development_values():
        raise ImproperlyConfigured(
            "Bouquet refuses to start with DEBUG off and development settings (docs/SECURITY.md):\n- "
            + "\n- ".join(problems)
        )
