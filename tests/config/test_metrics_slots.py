"""Each process counts into a slot of the multiprocess folder that no live process
shares (config/metrics.py): a process started after another died takes its slot and
continues its counts, so the folder holds as many files as processes ever ran at once,
however often django-q2 recycles its workers, and no count is lost."""

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.metrics import value_in

ROOT = Path(__file__).resolve().parents[2]
# Count one webhook, say which slot, and live until told to stop.
COUNT_AND_WAIT = """
import sys
from config.metrics import count_webhook, process_slot
count_webhook("recorded")
print(process_slot(), flush=True)
sys.stdin.read()
"""
# Count one in this process and one in a forked child of it.
COUNT_HERE_AND_IN_A_CHILD = """
import multiprocessing
from config.metrics import count_webhook, process_slot
count_webhook("duplicate")
child = multiprocessing.get_context("fork").Process(target=count_webhook, args=("duplicate",))
child.start()
child.join()
print(process_slot())
"""


def start(code: str, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def webhooks(folder: Path, outcome: str) -> float:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    return value_in(generate_latest(registry).decode(), "bouquet_stripe_webhooks_total", outcome=outcome)


def test_live_processes_take_distinct_slots_and_a_successor_continues_a_dead_ones_counts(tmp_path):
    first, second = start(COUNT_AND_WAIT, tmp_path), None
    try:
        assert first.stdout.readline().strip() == "slot0"
        second = start(COUNT_AND_WAIT, tmp_path)
        assert second.stdout.readline().strip() == "slot1"
        first.kill()  # as a worker dies: its lock goes with it
        first.wait()

        third = start(COUNT_AND_WAIT, tmp_path)
        assert third.stdout.readline().strip() == "slot0"
        third.communicate("")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.communicate("")

    assert webhooks(tmp_path, "recorded") == 3
    assert sorted(path.name for path in tmp_path.glob("counter_*.db")) == ["counter_slot0.db", "counter_slot1.db"]


def test_a_forked_child_counts_in_a_slot_of_its_own(tmp_path):
    process = start(COUNT_HERE_AND_IN_A_CHILD, tmp_path)
    output, _ = process.communicate("")

    assert output.strip() == "slot0"
    assert webhooks(tmp_path, "duplicate") == 2
    assert sorted(path.name for path in tmp_path.glob("counter_*.db")) == ["counter_slot0.db", "counter_slot1.db"]
