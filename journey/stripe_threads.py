"""The Stripe threads of a worker process: a step that mostly waits on Stripe (pay,
refund) has up to STRIPE_CONCURRENCY of its orders in flight at once on them."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


class StripeThreads:
    """Threads kept for the life of a worker process, so that each keeps its database
    connection: opening one per thread and batch cost more CPU than the orders did."""

    def __init__(self, size: int):
        self.size, self.pid = size, os.getpid()
        self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="stripe")

    def map(self, function, items):
        return self.executor.map(function, items)

    def close(self) -> None:
        """Close every thread's connection, then the threads. Each closing job waits
        for the others, so the jobs land on as many different threads."""
        everyone = threading.Barrier(self.size)

        def close_this_threads_connection():
            connections.close_all()
            everyone.wait(timeout=30)

        for job in [self.executor.submit(close_this_threads_connection) for _ in range(self.size)]:
            job.result()
        self.executor.shutdown()


_stripe_threads: StripeThreads | None = None


def stripe_threads(size: int) -> StripeThreads:
    global _stripe_threads
    if _stripe_threads is None or (_stripe_threads.pid, _stripe_threads.size) != (os.getpid(), size):
        close_stripe_threads()  # another size: its connections go first
        _stripe_threads = StripeThreads(size)  # a forked worker makes its own
    return _stripe_threads


def close_stripe_threads() -> None:
    """Close the Stripe threads' connections (a test session, before it drops its database)."""
    global _stripe_threads
    if _stripe_threads is not None and _stripe_threads.pid == os.getpid():
        _stripe_threads.close()
    _stripe_threads = None
