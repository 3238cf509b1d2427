"""What a web worker or a journey worker loads at its start is left out of garbage
collection (config/garbage_collection.py): perf showed full collections walking those
objects took a third of the CPU of both pools under the benchmark."""

import subprocess
import sys

from tests.support.processes import ROOT, environment_of_this_run

# Django, DRF, the Stripe SDK and the models: well over this many objects.
LOADED_AT_START = 50_000


def run_python(code: str) -> str:
    env = environment_of_this_run(DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_web_entry_point_freezes_what_it_loaded():
    frozen = int(run_python("import gc, config.wsgi; print(gc.get_freeze_count())"))

    assert frozen > LOADED_AT_START


def test_the_webhook_pool_entry_point_freezes_what_it_loaded():
    frozen = int(run_python("import gc, config.webhook_wsgi; print(gc.get_freeze_count())"))

    assert frozen > LOADED_AT_START


def test_run_workers_freezes_the_steps_code_before_the_cluster_forks_its_workers():
    # The cluster is replaced by one that reports what it would fork from, then stops.
    code = """
import gc, sys, django
django.setup()
from django.core.management import call_command
from journey.management.commands import run_workers

class ReportingCluster:
    def __init__(self, *args, **kwargs):
        print(gc.get_freeze_count(), "journey.tasks" in sys.modules, flush=True)
        raise SystemExit(0)

run_workers.Cluster = ReportingCluster
call_command("run_workers")
"""
    frozen, tasks_loaded = run_python(code).split()

    assert int(frozen) > LOADED_AT_START
    assert tasks_loaded == "True"
