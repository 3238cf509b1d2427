"""The workers stamp their last sign of life at every step task and sweep
(journey/signs_of_life.py): the "workers silent" alert reads it."""

import time

import pytest

from journey.signs_of_life import workers_last_seen
from journey.tasks import run_step_task, sweep_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("task", [lambda: run_step_task("reserve"), sweep_task])
def test_a_step_task_and_a_sweep_each_stamp_the_workers_last_sign_of_life(task):
    assert workers_last_seen() is None

    task()

    assert abs(workers_last_seen() - time.time()) < 5
