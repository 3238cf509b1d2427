"""Stands between the Stripe stand-in and the platform's webhook endpoint, as the
internet does between Stripe and us. It answers the stand-in at once and forwards each
delivery with the same body and signature header, retrying a failed delivery with
backoff as Stripe does. In `chaos` mode every delivery is sent twice, each copy after a
random delay of its own, so the platform sees duplicates, in an order nobody chose."""

import asyncio
import random
import threading
from collections import Counter

import aiohttp
from aiohttp import web

FORWARDED_HEADERS = ("Stripe-Signature", "Content-Type", "User-Agent")


class WebhookRelay:
    def __init__(self, port: int, target_url: str, *, seed: int = 5):
        self.port = port
        self.target_url = target_url
        self.rng = random.Random(seed)
        self.chaos = False
        self.received = 0
        self.delivered = 0
        self.answers: Counter = Counter()
        self._loop = asyncio.new_event_loop()
        self._pending: set[asyncio.Task] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the webhook relay did not start")

    def stop(self, wait_s: float = 60) -> None:
        if not self._ready.is_set():
            return
        future = asyncio.run_coroutine_threadsafe(self._drain(wait_s), self._loop)
        future.result(wait_s + 5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def busy(self) -> bool:
        """Deliveries still waiting for their delay or a retry."""
        return bool(self._pending)

    def figures(self) -> dict:
        return {"received": self.received, "delivered": self.delivered, "answers": dict(self.answers)}

    # --- inside the relay's thread ---------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/", self._receive)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._session = self._loop.run_until_complete(self._open_session())
        self._ready.set()
        self._loop.run_forever()

    async def _open_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
        self.received += 1
        delays = [self.rng.uniform(0, 3), self.rng.uniform(0, 8)] if self.chaos else [0.0]
        for delay in delays:
            task = asyncio.ensure_future(self._deliver(body, headers, delay))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        return web.Response(status=200)

    async def _deliver(self, body: bytes, headers: dict, delay: float) -> None:
        await asyncio.sleep(delay)
        backoff = 1.0
        for _ in range(8):
            try:
                async with self._session.post(self.target_url, data=body, headers=headers) as response:
                    self.answers[response.status] += 1
                    if response.status < 300:
                        self.delivered += 1
                        return
            except (TimeoutError, aiohttp.ClientError):
                self.answers["no answer"] += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30)

    async def _drain(self, wait_s: float) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=wait_s)
        await self._session.close()
