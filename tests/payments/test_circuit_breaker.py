"""The breaker costs a thread's Stripe calls one Redis round trip a second when nothing
has failed: the check reads its keys in one MGET, a look at a shut breaker with nothing
counted stands for LOOK_STANDS_SECONDS, and a success deletes the failure count only if
the last look (or this thread's own failure) found one."""

import threading
import time

import pytest
from django_redis import get_redis_connection

from payments import circuit_breaker
from payments.exceptions import PaymentGatewayUnavailableError


class CountedRedis:
    """The breaker's Redis, counting the commands this test's thread sends through it:
    the server's own command statistics also count the other test processes' calls."""

    def __init__(self, redis, sent: list[str]):
        self.redis, self.sent = redis, sent

    def __getattr__(self, command: str):
        def send(*args, **kwargs):
            self.sent.append(command)
            return getattr(self.redis, command)(*args, **kwargs)

        return send


def test_calls_with_nothing_recorded_read_the_breaker_once_and_write_nothing(monkeypatch, breaker_reset):
    sent: list[str] = []
    redis = get_redis_connection("default")
    monkeypatch.setattr(circuit_breaker, "_redis", lambda: CountedRedis(redis, sent))
    monkeypatch.setattr(circuit_breaker, "_clock", lambda: 1000.0)  # a slow machine's second must not end the look

    for _ in range(5):
        circuit_breaker.check_closed()
        circuit_breaker.record_success()

    assert sent == ["mget"]


def test_the_breaker_is_read_again_once_the_look_has_stood_its_time(monkeypatch, breaker_reset):
    now = [1000.0]
    monkeypatch.setattr(circuit_breaker, "_clock", lambda: now[0])
    circuit_breaker.check_closed()
    # Another process opens it: this thread's look still stands, then no longer.
    get_redis_connection("default").set(circuit_breaker.OPEN_UNTIL_KEY, time.time() + 30)
    now[0] += circuit_breaker.LOOK_STANDS_SECONDS - 0.01
    circuit_breaker.check_closed()

    now[0] += 0.01
    with pytest.raises(PaymentGatewayUnavailableError):
        circuit_breaker.check_closed()


def test_this_threads_own_failure_makes_its_next_call_read_the_breaker(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 1
    circuit_breaker.check_closed()

    circuit_breaker.record_failure()  # the threshold: it opens

    with pytest.raises(PaymentGatewayUnavailableError):
        circuit_breaker.check_closed()


def test_a_success_forgets_failures_another_process_counted(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 3
    circuit_breaker.check_closed()
    # Another worker's failures, seen by this thread's next look.
    get_redis_connection("default").set(circuit_breaker.FAILURES_KEY, 2)
    circuit_breaker.forget_last_look()

    circuit_breaker.check_closed()
    circuit_breaker.record_success()
    circuit_breaker.record_failure()
    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False


def test_a_success_after_this_threads_own_failure_forgets_it(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 2
    circuit_breaker.check_closed()
    circuit_breaker.record_failure()

    circuit_breaker.record_success()
    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False


def test_a_thread_that_never_looked_resets_on_success(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 2
    circuit_breaker.record_failure()
    other = threading.Thread(target=circuit_breaker.record_success)
    other.start()
    other.join()

    circuit_breaker.record_failure()

    assert circuit_breaker.breaker_state().open is False
