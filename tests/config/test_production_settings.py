"""Production starts only with production settings (config/checks.py, docs/SECURITY.md):
with DEBUG off, `check --deploy` fails naming each development value and is silent
with production-like settings, and gunicorn and run_workers refuse to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bench.environment import read_dev_env
from config.checks import DEVELOPMENT_VALUES, check_production_settings
from tests.devdata.test_dev_env import settings_defaults

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SETTING_NAMES = [
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "STRIPE_JS_URL",
    "REDIS_URL",
    "METRICS_TOKEN",
]
ALLOWANCES = ["STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL", "BENCHMARK_ON_ONE_MACHINE", "BEHIND_TLS_PROXY"]


def development_env() -> dict[str, str]:
    """DEBUG off with the settings' own fallbacks, which are dev.env's values."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (tests/browser/conftest.py), set in this
    # process when they ran first: production never has it, and check --deploy says so.
    left_out = [*SETTING_NAMES, *ALLOWANCES, "DJANGO_ALLOW_ASYNC_UNSAFE"]
    env = {name: value for name, value in os.environ.items() if name not in left_out}
    return {**env, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"}


def production_env() -> dict[str, str]:
    return {
        **development_env(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STRIPE_SECRET_KEY": f"sk_live_{secrets.token_hex(12)}",
        "STRIPE_WEBHOOK_SECRET": f"whsec_{secrets.token_hex(12)}",
        "STRIPE_API_BASE": "https://api.stripe.com",
        "REDIS_URL": "redis://:a-long-redis-password@redis.internal:6379/0",
        "METRICS_TOKEN": secrets.token_urlsafe(),
        "ALLOWED_HOSTS": "bouquet.example.com",
        "SITE_DOMAIN": "bouquet.example.com",
    }


def run(argv: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_development_values_are_the_settings_fallbacks_and_dev_env():
    assert DEVELOPMENT_VALUES == {name: settings_defaults()[name] for name in DEVELOPMENT_VALUES}
    in_dev_env = {name: value for name, value in read_dev_env().items() if name in DEVELOPMENT_VALUES}
    assert set(in_dev_env) == {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}
    assert in_dev_env == {name: DEVELOPMENT_VALUES[name] for name in in_dev_env}


def test_check_deploy_fails_with_an_error_naming_each_development_value():
    result = run([sys.executable, "manage.py", "check", "--deploy"], development_env())

    assert result.returncode != 0
    errors = [line.split("(bouquet.E001) ", 1)[1] for line in result.stderr.splitlines() if "bouquet.E001" in line]
    assert sorted(error.split(" ")[0] for error in errors) == sorted(SETTING_NAMES), result.stderr


def test_check_deploy_reports_nothing_with_production_settings():
    result = run([sys.executable, "manage.py", "check", "--deploy"], production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout + result.stderr


@pytest.mark.parametrize("application", ["config.wsgi:application", "config.webhook_wsgi:application"])
def test_gunicorn_refuses_to_start_with_development_values(application):
    argv = [str(VENV_BIN / "gunicorn"), application, "--bind", "127.0.0.1:0", "--no-control-socket"]
    result = run(argv, development_env())

    assert result.returncode != 0
    assert "refuses to start with DEBUG off" in result.stderr and "SECRET_KEY" in result.stderr


def test_run_workers_refuses_to_start_with_development_values():
    result = run([sys.executable, "manage.py", "run_workers"], development_env())

    assert result.returncode != 0
    assert "refuses to start with DEBUG off" in result.stderr and "REDIS_URL" in result.stderr


HTTPS_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
print(client.get("/healthz").status_code, client.get("/readyz").status_code != 301, client.get("/metrics").status_code)
login = client.get("/accounts/login/")
print(login.status_code, login["Location"])
secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
print(secure.status_code, secure.cookies["csrftoken"]["secure"], secure["Strict-Transport-Security"])
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


def test_with_debug_off_plain_http_is_redirected_except_the_health_checks_and_cookies_are_secure():
    env = {**production_env(), "ALLOWED_HOSTS": "testserver"}
    result = run([sys.executable, "-c", HTTPS_PROBE], env)

    assert result.returncode == 0, result.stderr
    health, redirect, secure, settings_line = result.stdout.splitlines()[-4:]
    # /metrics is not redirected either (Prometheus scrapes each web host in plain HTTP);
    # it wants the bearer token.
    assert health == "200 True 403"
    assert redirect == "301 https://testserver/accounts/login/"
    assert secure == "200 True max-age=31536000; includeSubDomains; preload"
    assert settings_line == "True True"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 50
    settings.STRIPE_SECRET_KEY = "sk_live_secret"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_secret"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.REDIS_URL = "rediss://:password@redis.internal:6380/0"
    settings.STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL = False
    settings.BENCHMARK_ON_ONE_MACHINE = False
    settings.BENCH_CEILING_VIEW = False
    settings.METRICS_TOKEN = "m" * 43
    return settings


def messages(settings) -> list[str]:
    return [error.msg for error in check_production_settings(None)]


def test_production_like_settings_pass(production):
    assert messages(production) == []


def test_plain_http_to_stripe_only_on_this_machine_and_only_when_allowed(production):
    production.STRIPE_API_BASE = "http://127.0.0.1:8440"
    assert [m.split(" ")[0] for m in messages(production)] == ["STRIPE_API_BASE"]

    production.STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL = True
    assert messages(production) == []

    production.STRIPE_API_BASE = "http://stripe.example.com"
    assert [m.split(" ")[0] for m in messages(production)] == ["STRIPE_API_BASE"]


def test_stripe_js_over_plain_http_only_from_a_stand_in_on_this_machine_and_only_when_allowed(production):
    production.STRIPE_JS_URL = "http://127.0.0.1:8440/js.stripe.com/v3/"
    assert [m.split(" ")[0] for m in messages(production)] == ["STRIPE_JS_URL"]

    production.STRIPE_API_BASE_ALLOW_PLAIN_HTTP_LOCAL = True
    assert messages(production) == []

    production.STRIPE_JS_URL = "http://js.example.com/v3/"
    assert [m.split(" ")[0] for m in messages(production)] == ["STRIPE_JS_URL"]


def test_a_redis_without_password_only_for_a_benchmark_on_this_machine(production):
    production.REDIS_URL = "redis://127.0.0.1:6379/2"
    assert [m.split(" ")[0] for m in messages(production)] == ["REDIS_URL"]

    production.BENCHMARK_ON_ONE_MACHINE = True
    assert messages(production) == []

    production.REDIS_URL = "redis://redis.internal:6379/0"
    assert [m.split(" ")[0] for m in messages(production)] == ["REDIS_URL"]


def test_the_bench_ceiling_view_needs_the_benchmark_allowance_with_debug_off(production):
    production.BENCH_CEILING_VIEW = True
    assert [m.split(" ")[0] for m in messages(production)] == ["BENCH_CEILING_VIEW"]

    production.BENCHMARK_ON_ONE_MACHINE = True
    assert messages(production) == []


def test_a_missing_or_short_metrics_token_is_named(production):
    production.METRICS_TOKEN = ""
    assert [m.split(" ")[:4] for m in messages(production)] == [["METRICS_TOKEN", "is", "not", "set:"]]

    production.METRICS_TOKEN = "guessable"
    assert [m.split(" ")[:4] for m in messages(production)] == [["METRICS_TOKEN", "is", "shorter", "than"]]


def test_with_debug_on_the_development_values_are_fine(production):
    production.DEBUG = True
    production.SECRET_KEY = DEVELOPMENT_VALUES["SECRET_KEY"]
    production.REDIS_URL = "redis://127.0.0.1:6379/0"
    production.BENCH_CEILING_VIEW = True
    production.METRICS_TOKEN = ""

    assert messages(production) == []
