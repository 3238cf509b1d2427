"""dev.env holds `make run`'s environment (honcho and bench/ read it). It repeats the
fallbacks of config/settings.py (and database_settings.py) on purpose, so that a bare `manage.py` and `make run`
meet the same services; these tests keep the copies and the Procfile in step."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from bench.environment import read_dev_env

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DEFAULT = re.compile(r'env\("(?P<name>[A-Z_]+)",\s*"(?P<default>[^"]*)"\)')


def settings_defaults() -> dict[str, str]:
    source = "".join((ROOT / "config" / name).read_text() for name in ("settings.py", "database_settings.py"))
    return {match["name"]: match["default"] for match in SETTINGS_DEFAULT.finditer(source)}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_dev_env_agrees_with_the_settings_fallbacks():
    defaults = settings_defaults()
    shared = {name: value for name, value in read_dev_env().items() if name in defaults}

    assert set(shared) >= {"DATABASE_URL", "REDIS_URL", "STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}
    assert shared == {name: defaults[name] for name in shared}


def test_the_procfile_runs_web_the_webhook_pool_both_clusters_the_mirror_and_the_stand_in_where_dev_env_points():
    processes = procfile()
    stand_in_port = urlsplit(read_dev_env()["STRIPE_API_BASE"]).port

    assert set(processes) == {"web", "webhooks", "worker", "imports", "mirror", "stripe"}
    assert "--bind $WEBHOOK_BIND --workers $WEBHOOK_WORKERS" in processes["webhooks"]
    assert "--webhook-url http://$WEBHOOK_BIND/payments/stripe/webhook/" in processes["web"]
    assert {"WEBHOOK_BIND", "WEBHOOK_WORKERS"} <= set(read_dev_env())
    assert processes["worker"].endswith("manage.py run_workers")
    assert processes["imports"].endswith("manage.py run_workers --imports")
    assert processes["mirror"].endswith("manage.py run_stripe_mirror")
    assert f"--port {stand_in_port} " in processes["stripe"]
    assert "--bind $WEB_BIND" in processes["web"]
