"""gunicorn's sync worker, with each new connection going to the first idle worker
rather than to whichever woke first.

A sync worker waits for a connection in `select` on the shared listening socket, so a
connection wakes every idle worker and the requests spread evenly over them. At a
steady 100 orders a second over three workers, each worker then sleeps some 30 ms
between requests, and on the bench's machines a process's caches go cold in that time:
the same intake request costs a gunicorn worker 3.3 ms of CPU paced at 33 a second and
2.1 ms at 100 a second (`scripts/compare_intake.py`, bench/RESULTS.md, 2026-12-01).

This worker waits in an epoll of its own on which the listening sockets are registered
with EPOLLEXCLUSIVE. The kernel then wakes one waiter a connection, trying the
registrations in order, and passes over a worker busy with a request (its epoll has no
waiter). The worker that registered first, so, takes every connection it is idle for;
the second takes those that come while the first is busy, and so on. Nothing changes
under load: a worker takes the next connection as soon as it is idle, as before, and
one that dies is replaced by one registering last. Everything else is the sync
worker's: one request a connection, no keep-alive, the same timeouts and signals."""

import errno
import os
import select

from gunicorn.workers.sync import SyncWorker

# What `--worker-class` names (config/gunicorn.py, the bench's platform, the tests).
WORKER_CLASS = "config.first_idle_worker.FirstIdleSyncWorker"
# The most connections a stopping worker serves on its way out (`serve_handed_over`).
HANDED_OVER_AT_MOST = 8


class FirstIdleSyncWorker(SyncWorker):
    def run(self):
        self._poller = select.epoll()
        self._listening = {listener.fileno(): listener for listener in self.sockets}
        for fd in self._listening:
            self._poller.register(fd, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        # The signal pipe wakes this worker alone, never passed over.
        self._poller.register(self.PIPE[0], select.EPOLLIN)
        try:
            super().run()
            self.serve_handed_over()
        finally:
            self._poller.close()

    def serve_handed_over(self):
        """Serve the connections waiting now, on the way out of a graceful stop. A
        worker told to stop while it waited may have been woken for a connection in
        the same moment, and the kernel woke it alone: left in the queue, that
        connection would wait for the next one to wake another worker, or for a new
        worker's first look. gunicorn lets a stopping worker finish its request;
        this one finishes what it was handed too."""
        for listener in self.sockets:
            for _ in range(HANDED_OVER_AT_MOST):
                try:
                    self.accept(listener)
                except OSError as error:
                    if error.errno == errno.ECONNABORTED:
                        continue
                    if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                        break
                    raise

    def wait(self, timeout):
        """What SyncWorker.wait returns: the listening sockets with a connection
        waiting, or None after `timeout` seconds. (SyncWorker's EINTR and EBADF cases
        cannot arise here: Python retries a poll a signal interrupts, and the epoll
        stays open while the worker runs.)"""
        self.notify()
        events = self._poller.poll(timeout)
        if not events:
            return None
        ready = []
        for fd, _ in events:
            if fd == self.PIPE[0]:
                os.read(self.PIPE[0], 1)
                ready.append(fd)
            else:
                ready.append(self._listening[fd])
        return ready
