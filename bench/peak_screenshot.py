"""A screenshot of the admin home's peak view while the bench's load runs: Debian's
chromium, driven by Playwright (as tests/browser/ drives it), logs into the bench
platform's admin as a staff user made for the run with a random password, and saves
the page into bench/results/. `python -m bench --screenshot` (and a full run) takes
one late in the spike scenario, or in the end-to-end one when the spike is not run."""

import secrets
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
STAFF_USERNAME = "bench-peak-view"
# The window the picture shows: a bench run lasts minutes, so the last hour.
PEAK_HOURS = 1


def make_staff_user() -> tuple[str, str]:
    """A superuser for the screenshot with a fresh random password; return (name, password)."""
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(24)
    user, _ = get_user_model().objects.get_or_create(username=STAFF_USERNAME)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return STAFF_USERNAME, password


def take(base_url: str, username: str, password: str, path: Path, *, after_s: float = 0) -> Path:
    """Log into the admin at `base_url` now, and `after_s` seconds later save a
    screenshot of its home as it opens: "are we OK?" and the peak view, not the list of
    models below. Signed in before the load peaks, as staff on duty are."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            page = browser.new_page(base_url=base_url, viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(60_000)  # the platform is under load: it may answer slowly
            open_page_until_served(page, "/admin/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("[type=submit]")
            page.wait_for_selector("#health")
            time.sleep(max(0.0, after_s - (time.monotonic() - started)))
            open_page_until_served(page, f"/admin/?peak_hours={PEAK_HOURS}")
            page.wait_for_selector("#peak-orders svg")
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return path


def open_page_until_served(page, url: str, limit_s: float = 60) -> None:
    """Open `url`, again after a pause while it is answered 503: at the spike's peak the
    platform sheds what waited too long (config/shedding.py), a member of staff's page
    as anyone's, and they press reload as a client retries after Retry-After."""
    deadline = time.monotonic() + limit_s
    while (response := page.goto(url)) is not None and response.status == 503 and time.monotonic() < deadline:
        time.sleep(1)


class ScreenshotLater:
    """Takes the screenshot `after_s` seconds from start() in a thread of its own, so
    that the scenario running meanwhile is not held up; join() waits for it and
    returns the path, or None with the reason printed."""

    def __init__(self, base_url: str, path: Path, after_s: float):
        self.base_url, self.path, self.after_s = base_url, path, after_s
        self.credentials = make_staff_user()
        self._thread = threading.Thread(target=self._run, name="peak-screenshot", daemon=True)
        self.taken: Path | None = None

    def start(self) -> "ScreenshotLater":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.taken = take(self.base_url, *self.credentials, self.path, after_s=self.after_s)
            print(f"    peak view screenshot: {self.path.name}", flush=True)
        except Exception as exc:  # a missing picture must not lose the run's figures
            print(f"    peak view screenshot failed: {exc!r}", flush=True)

    def join(self) -> Path | None:
        self._thread.join()
        return self.taken
