"""`manage.py run_workers`: the journey's django-q2 cluster, kept alive.

django-q2's guard brings back a worker, the monitor or the pusher that dies, but nothing
brings back the guard itself (the sentinel): when it is killed, `manage.py qcluster`
exits quietly, or lingers, while its orphaned workers go on pulling tasks with nobody
watching them. Seen in `make chaos`: after a SIGKILL of the sentinel no order moved
again. This command runs the cluster and, when the sentinel dies without being asked
to stop, ends its orphans and starts a fresh cluster. SIGTERM or Ctrl-C stops it as
`qcluster` stops: workers finish the task in hand.

Nor does the guard see a cluster that stalls: a worker killed (by the OOM killer, or
`make chaos`) while it waits for a task holds the read lock of the queue the workers
share, and dies with it held; the guard starts a new worker, which waits on that lock
for good, as do the others. Seen in `make chaos` as a cluster that took no task again.
So when tasks wait and every worker has been idle for
WORKERS_STALLED_AFTER_SECONDS (settings.BOUQUET), this command kills the sentinel and
recovers as from its death.

With `--imports` it runs the CSV imports' cluster instead (settings.Q_IMPORTS_CLUSTER,
options from Q_CLUSTER's ALT_CLUSTERS), kept alive the same way: the journey's cluster
never takes an import, and an import never waits for a journey step."""

import ctypes
import logging
import os
import signal
import sys
import threading
import time

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand
from django_q.brokers import get_broker
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.signals import post_spawn
from django_q.status import Stat

from config.checks import refuse_to_start_with_development_values
from journey.worker_stop import install_stop_handler, wake_every_step

logger = logging.getLogger("bouquet.workers")

WATCH_INTERVAL_SECONDS = 0.2
RESTART_PAUSE_SECONDS = 1.0
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


class Command(BaseCommand):
    help = "Run the django-q2 cluster and start it again if its sentinel dies."

    def add_arguments(self, parser):
        parser.add_argument(
            "--imports",
            action="store_true",
            help="serve the CSV imports' queue (settings.Q_IMPORTS_CLUSTER) instead of the journey's",
        )

    def handle(self, *args, imports: bool = False, **options):
        serve_the_right_queue(settings.Q_IMPORTS_CLUSTER if imports else None)
        # Django runs no system check before this command's cluster unpickles tasks.
        refuse_to_start_with_development_values()
        become_subreaper()
        # The cluster's processes inherit it: on a machine the web tier shares, taking
        # orders comes first and the journey catches up on what CPU is left.
        os.nice(settings.BOUQUET["WORKERS_NICENESS"])
        # Each worker the cluster forks (again) makes SIGTERM a graceful stop of its own.
        post_spawn.connect(install_stop_handler, dispatch_uid="journey.worker_stop")
        stop = StopSignal()
        while True:
            cluster = Cluster()
            stop.watch(cluster)
            try:
                cluster.start()
            except RuntimeError:
                pass  # the sentinel died while starting: handled as any death below
            asked_to_stop = False
            stall = StallWatch(cluster)
            while cluster.sentinel.is_alive():
                if not stop.received:
                    stall.end_cluster_if_stalled()  # then handled as the sentinel's death
                if stop.received and not asked_to_stop:
                    # The sentinel stops its workers and exits; told themselves, the
                    # workers hand back the orders they have not started instead of
                    # running their step to its time budget. Setting the
                    # multiprocessing Event can block for good if a process waiting on
                    # it was just killed by the same signal, so it is set from a
                    # thread this loop does not wait for.
                    signal_workers(cluster.sentinel.pid, signal.SIGTERM)
                    threading.Thread(target=cluster.stop_event.set, daemon=True).start()
                    asked_to_stop = True
                time.sleep(WATCH_INTERVAL_SECONDS)
            # Exit code 0: the sentinel was asked to stop (it got the signal itself).
            if stop.received or cluster.sentinel.exitcode == 0:
                # A worker that got the stop before its sentinel died waits for a
                # task no one will push: told again, it sees the sentinel gone and exits.
                signal_workers(os.getpid(), signal.SIGTERM)
                end_orphans(grace_seconds=10)
                wake_every_step()
                return
            orphans = end_orphans()
            logger.error(
                "the qcluster sentinel died; ended its orphaned processes and starting a new cluster",
                extra={"exit_code": cluster.sentinel.exitcode, "orphans": orphans},
            )
            time.sleep(RESTART_PAUSE_SECONDS)


class StopSignal:
    """SIGTERM or SIGINT to run_workers, remembered for its watch loop and passed on to
    the running cluster's workers at once, not at the loop's next look (up to
    WATCH_INTERVAL_SECONDS later): a worker hands back only the orders it has not
    started yet, and a batch's calls to Stripe go on meanwhile."""

    def __init__(self):
        self.received = False
        self.cluster: Cluster | None = None

    def watch(self, cluster: Cluster) -> None:
        """Replace the handlers `cluster` installed: Ctrl-C or a supervisor's SIGTERM
        reaches the whole process group, so the sentinel may be gone before Cluster's
        handler runs, and that must not read as a crash."""
        self.cluster = cluster
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        self.received = True
        sentinel = self.cluster.sentinel if self.cluster is not None else None
        if sentinel is not None and sentinel.pid is not None:
            signal_workers(sentinel.pid, signal.SIGTERM)


class StallWatch:
    """Whether a cluster has stalled: tasks waiting (in the broker, or in the queue the
    cluster's pusher fills for its workers, as its guard reports it) and every worker
    idle (django-q2 titles each "... idle" or "... processing <task>"), seen on every
    check for WORKERS_STALLED_AFTER_SECONDS. In a healthy cluster an idle worker takes
    a waiting task at once."""

    CHECK_INTERVAL_SECONDS = 1.0

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.broker = get_broker()
        self.checked_at = 0.0
        self.idle_since: float | None = None
        self.waiting = 0

    def tasks_waiting(self) -> int:
        try:
            stat = Stat.get(pid=self.cluster.pid, cluster_id=self.cluster.cluster_id, broker=self.broker)
            return (self.broker.queue_size() or 0) + (getattr(stat, "task_q_size", 0) or 0)
        except Exception:  # a broker that cannot answer says nothing about the workers
            return 0

    def stalled(self, now: float) -> bool:
        if now - self.checked_at < self.CHECK_INTERVAL_SECONDS:
            return False
        self.checked_at = now
        self.waiting = self.tasks_waiting()
        if not self.waiting:  # the common case: no need to read the titles
            self.idle_since = None
            return False
        # Finding the workers reads every process of the machine (psutil): done each
        # second, that was most of an idle cluster's CPU (issue 20).
        titles = worker_titles(self.cluster.sentinel.pid)
        if not titles or any(" processing " in title for title in titles):
            self.idle_since = None
            return False
        self.idle_since = self.idle_since or now
        return now - self.idle_since >= settings.BOUQUET["WORKERS_STALLED_AFTER_SECONDS"]

    def end_cluster_if_stalled(self) -> None:
        if not self.stalled(time.monotonic()):
            return
        logger.error(
            "the qcluster took no task while tasks waited; ending it and starting a new cluster",
            extra={"waiting": self.waiting, "idle_s": settings.BOUQUET["WORKERS_STALLED_AFTER_SECONDS"]},
        )
        try:
            os.kill(self.cluster.sentinel.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cluster_workers(sentinel_pid: int) -> list[tuple[psutil.Process, str]]:
    """The cluster's workers (not its monitor or pusher), with their titles."""
    try:
        children = psutil.Process(sentinel_pid).children()
    except psutil.NoSuchProcess:
        return []
    workers = []
    for child in children:
        try:
            title = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if " idle" in title or " processing " in title:
            workers.append((child, title))
    return workers


def worker_titles(sentinel_pid: int) -> list[str]:
    return [title for _worker, title in cluster_workers(sentinel_pid)]


def signal_workers(sentinel_pid: int, signum: int) -> None:
    for worker, _title in cluster_workers(sentinel_pid):
        try:
            worker.send_signal(signum)
        except psutil.NoSuchProcess:
            pass


def serve_the_right_queue(cluster_name: str | None) -> None:
    """Make this process serve `cluster_name`'s queue (None: the journey's). django-q2
    reads Q_CLUSTER_NAME once, when it is first imported, so a process started with
    the wrong one starts itself again with the right one."""
    if Conf.CLUSTER_NAME == (cluster_name or Conf.PREFIX):
        return
    env = {key: value for key, value in os.environ.items() if key != "Q_CLUSTER_NAME"}
    if cluster_name:
        env["Q_CLUSTER_NAME"] = cluster_name
    if env.get("Q_CLUSTER_NAME") == os.environ.get("Q_CLUSTER_NAME"):
        raise RuntimeError(f"django-q2 serves {Conf.CLUSTER_NAME!r} although Q_CLUSTER_NAME asks for {cluster_name!r}")
    logger.info("starting again to serve another queue", extra={"cluster": cluster_name or Conf.PREFIX})
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def become_subreaper() -> None:
    """Have the processes a dead sentinel leaves behind re-parented to this process
    instead of to init, so they can be found and ended (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        logger.warning(
            "could not become a child subreaper; orphans of a dead sentinel may linger",
            extra={"errno": ctypes.get_errno()},
        )


def end_orphans(grace_seconds: float = 0) -> int:
    """Kill what the sentinel left behind (now this process's children), after letting
    them finish on their own for `grace_seconds`. A task they were running is handed
    back by the journey's lease and the sweeper, as for any worker that dies."""
    orphans = psutil.Process().children()
    if grace_seconds:
        _, orphans = psutil.wait_procs(orphans, timeout=grace_seconds)
    for process in orphans:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(orphans, timeout=5)
    return len(orphans)
