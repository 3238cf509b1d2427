"""Running Django code in another process against the test's database and Redis: what
another web or worker process would see and do. The test must commit its data
(`transaction=True`) for the other process to see it."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def environment_of_this_run(**overrides: str) -> dict[str, str]:
    """Return this process's environment pointed at the test's database, Redis and
    Stripe stand-in, with `overrides` on top: for another Django process to share them."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "STRIPE_API_BASE": settings.STRIPE_API_BASE,
        **overrides,
    }


def run_in_another_process(code: str) -> None:
    env = environment_of_this_run(DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING")
    script = "import django\ndjango.setup()\n" + code
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)


def start_manage_command(args: list[str], *, env: dict[str, str], log) -> subprocess.Popen:
    """Start `manage.py <args>` in a session of its own (a supervisor's signal reaches
    its whole process group), writing its output to the open file `log`."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def end_process(process: subprocess.Popen, *, grace_s: float) -> None:
    """SIGTERM `process`, and SIGKILL it if it has not ended within `grace_s`."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(check, seconds: float, what: str, *, every_s: float = 0.1):
    """Return `check()`'s first truthy answer, asking every `every_s`; fail the test
    naming `what` if none comes within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(every_s)
    raise AssertionError(f"{what} within {seconds:.0f} s")
