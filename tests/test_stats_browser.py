"""The dashboard in a real browser: headless Chromium, driven over the DevTools protocol.

Chromium (Debian's ``chromium``; ``.ci/run`` installs it) opens ``/stats``: without the
token it gets the sign-in form; with it — typed into the form (cookie) or sent as a
Bearer header — the page's own script draws the charts as SVG, with no network beyond
the test server. Then the page as an NGO worker sees it on a phone: 390 px wide, in
Russian, a month of Telegram and SMS traffic with noise on. Screenshots go to
``test-artifacts/stats-dashboard.png`` and ``test-artifacts/stats-dashboard-390-ru.png``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import os
import random
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import ROOT
from bot.stats.queries import last_closed_day
from bot.stats.web import RECORDER
from bot.types import Incoming, Reply
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats import EXPECTED, TOKEN, run_script

ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--no-proxy-server", "--window-size=1200,1600",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0")


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "/usr/bin/chromium",
                      "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.loaded = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.waiting:
                self.waiting.pop(data["id"]).set_result(data)
            else:
                self.events.append(data)
                if data.get("method") == "Page.loadEventFired":
                    self.loaded.set()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        await self.ws.send_json({"id": number, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 30)
        assert "error" not in answer, (method, answer)
        return answer.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression,
                                 returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    async def open(self, url: str | None = None, action: str | None = None) -> None:
        """Navigate (or run an action that navigates) and wait for the load event."""
        self.loaded.clear()
        if url is not None:
            await self.send("Page.navigate", url=url)
        else:
            await self.evaluate(action or "")
        await asyncio.wait_for(self.loaded.wait(), 30)

    def status_of(self, url: str) -> int | None:
        statuses = [e["params"]["response"]["status"] for e in self.events
                    if e.get("method") == "Network.responseReceived"
                    and e["params"]["response"]["url"] == url]
        return statuses[-1] if statuses else None

    def console_errors(self) -> list[Any]:
        return [e["params"] for e in self.events
                if e.get("method") == "Runtime.exceptionThrown"
                or (e.get("method") == "Log.entryAdded"  # a CSP violation is one of these
                    and e["params"]["entry"]["level"] == "error"
                    and e["params"]["entry"]["source"] != "network")]  # the expected 401s


@contextlib.asynccontextmanager
async def chromium(binary: str, profile: Path) -> AsyncIterator[DevTools]:
    process = await asyncio.create_subprocess_exec(
        binary, *FLAGS, f"--user-data-dir={profile}", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(600):
            if port_file.is_file() and port_file.read_text().strip():
                break
            if process.returncode is not None:
                pytest.fail("chromium exited before opening its DevTools port")
            await asyncio.sleep(0.1)
        port = port_file.read_text().split()[0]
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                    pages = [t for t in await response.json() if t["type"] == "page"]
                if pages:
                    break
                await asyncio.sleep(0.1)
            async with http.ws_connect(pages[0]["webSocketDebuggerUrl"],
                                       max_msg_size=64 * 1024 * 1024) as ws:
                tools = DevTools(ws)
                for domain in ("Page", "Network", "Runtime", "Log"):
                    await tools.send(f"{domain}.enable")
                try:
                    yield tools
                finally:
                    tools.reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await tools.reader
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


CHARTS = """(() => {
  const bars = id => [...document.querySelectorAll('#' + id + ' rect.bar')].map(r => ({
    label: r.getAttribute('data-label'), key: r.getAttribute('data-key'),
    count: Number(r.getAttribute('data-count')), width: r.getBBox().width,
    height: r.getBBox().height}));
  return {ready: document.body.getAttribute('data-charts'),
          days: bars('chart-days'), topics: bars('chart-topics'),
          channels: bars('chart-channels'), understanding: bars('chart-understanding'),
          people: bars('chart-people'), text: document.body.innerText};
})()"""


@pytest.mark.slow
async def test_the_dashboard_renders_its_charts_in_chromium(aiohttp_server, aiohttp_client,
                                                            tmp_path, database_url):
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium on PATH: install Debian's `chromium` (.ci/run does)")
    settings = make_settings(tmp_path, database_url, admin_token=TOKEN,
                             stats_flush_seconds=3600.0, stats_epsilon=math.inf)
    server = await aiohttp_server(create_app(settings))
    client = await aiohttp_client(server)
    await run_script(client)
    await server.app[RECORDER].flush()
    base = str(server.make_url("/stats"))
    simulator = base + "?channel=simulator&lang=en"

    async with chromium(binary, tmp_path / "profile") as page:
        # No token: the sign-in form, and no numbers.
        await page.open(base)
        assert page.status_of(base) == 401
        seen = await page.evaluate(CHARTS)
        assert seen["ready"] is None and "Sign in" in seen["text"] and "29" not in seen["text"]

        # A wrong token typed in: refused.
        typed = ("document.getElementById('token').value = {!r};"
                 "document.querySelector('form').submit()")
        await page.open(action=typed.format("not-the-token"))
        assert "That token is not right" in (await page.evaluate(CHARTS))["text"]

        # The right token: a cookie the page's script cannot read, then the charts.
        await page.open(action=typed.format(TOKEN))
        cookies = (await page.send("Network.getCookies", urls=[base]))["cookies"]
        assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
            ("stats_session", True, "Strict")]
        assert await page.evaluate("document.cookie") == ""
        assert (await page.evaluate(CHARTS))["ready"] == "ready", page.console_errors()
        await page.open(simulator)  # the script talked through the simulator
        charts = await page.evaluate(CHARTS)
        assert charts["ready"] == "ready", page.console_errors()
        languages = {k: v for k, v in EXPECTED["languages"].items() if v is not None}
        assert {b["key"]: b["count"] for b in charts["days"]} == languages
        assert {b["key"]: b["count"] for b in charts["topics"]} == {
            "permits.registration": 6, "help.emergency": 5, "unmatched": 5}
        assert {b["label"]: b["count"] for b in charts["channels"]} == {"simulator": 29}
        assert {(b["label"], b["key"]): b["count"] for b in charts["understanding"]} == {
            ("tg", "unmatched"): 5, ("ky", "unmatched"): 0, ("tg", "didyoumean"): 0,
            ("ky", "didyoumean"): 0}
        assert [b["count"] for b in charts["people"]] == [EXPECTED["people"]]  # staff: none
        drawn = charts["days"] + charts["topics"] + charts["channels"]
        assert all(b["width"] > 0 and b["height"] > 0 for b in drawn)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = await page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        png = base64.b64decode(shot["data"])
        assert png.startswith(b"\x89PNG") and len(png) > 10_000
        (ARTIFACTS / "stats-dashboard.png").write_bytes(png)

        # A script's way in: the Bearer header, no cookie.
        await page.send("Network.clearBrowserCookies")
        await page.open(base)
        assert page.status_of(base) == 401
        await page.send("Network.setExtraHTTPHeaders",
                        headers={"Authorization": f"Bearer {TOKEN}"})
        await page.open(base)
        assert page.status_of(base) == 200
        assert (await page.evaluate(CHARTS))["ready"] == "ready"

        requested = {e["params"]["request"]["url"] for e in page.events
                     if e.get("method") == "Network.requestWillBeSent"}
        origin = str(server.make_url("/"))
        assert all(u.startswith((origin, "data:", "about:")) for u in requested), requested
        assert page.console_errors() == []


PHONE = """(() => {
  const box = el => el.getBoundingClientRect();
  const texts = [...document.querySelectorAll('.chart svg text')];
  const pairs = {};
  document.querySelectorAll('#chart-understanding rect.bar').forEach(r => {
    const b = box(r), label = r.getAttribute('data-label');
    (pairs[label] = pairs[label] || []).push({key: r.getAttribute('data-key'), top: b.top,
                                              left: b.left, width: b.width});
  });
  return {ready: document.body.getAttribute('data-charts'),
          lang: document.documentElement.lang,
          pageWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          widest: Math.max(...[...document.querySelectorAll('section, header, svg, form')]
                           .map(e => box(e).right)),
          smallestText: Math.min(...texts.map(t => box(t).height).filter(h => h > 0)),
          headings: [...document.querySelectorAll('h1, h2')].map(h => h.textContent),
          topics: [...document.querySelectorAll('#chart-topics rect.bar title')]
                  .map(t => t.textContent),
          pairs: pairs,
          matrix: (() => { const s = document.querySelector('#matrix .scroll');
                           return {box: box(s).right, scroll: s.scrollWidth,
                                   client: s.clientWidth}; })(),
          text: document.body.innerText};
})()"""

LANGUAGES = ("ru", "ky", "tg", "uz", "uz-Cyrl")
TOPICS = ("scams.trafficking", "permits.russia-patent", "permits.registration",
          "scams.unpaid-wages", "help.hotlines", "permits.kazakhstan", "scams.red-flags")


async def month_of_traffic(app: Any) -> None:
    """30 days up to yesterday, Telegram and SMS, every language: topics, menus, "did you
    mean" and "not understood" (recorded as the service records answers)."""
    recorder = app[RECORDER]
    chooser = random.Random(390)
    last = last_closed_day()
    for back in range(30, 0, -1):
        day = last - timedelta(days=back - 1)
        recorder.clock = lambda day=day: datetime.combine(day, time(10), UTC)
        for person in range(chooser.randint(40, 90)):
            channel = chooser.choice(("telegram", "sms"))
            language = chooser.choice(LANGUAGES)
            who = Incoming(channel=channel, sender_key=f"{day}-{person}")  # type: ignore[arg-type]
            recorder.record(who, Reply(language=language, kind="menu"))
            kind = chooser.choices(("topic", "didyoumean", "unmatched"), (6, 2, 1))[0]
            topic = chooser.choice(TOPICS) if kind == "topic" else None
            recorder.record(who, Reply(language=language, kind=kind, topic=topic))  # type: ignore[arg-type]
        await recorder.flush()


@pytest.mark.slow
async def test_the_dashboard_reads_well_on_a_phone_in_russian(aiohttp_server, tmp_path,
                                                              database_url):
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium on PATH: install Debian's `chromium` (.ci/run does)")
    settings = make_settings(tmp_path, database_url, admin_token=TOKEN,
                             stats_flush_seconds=3600.0)  # noise on, as shipped
    server = await aiohttp_server(create_app(settings))
    await month_of_traffic(server.app)
    base = str(server.make_url("/stats"))

    async with chromium(binary, tmp_path / "profile") as page:
        await page.send("Emulation.setDeviceMetricsOverride", width=390, height=844,
                        deviceScaleFactor=2, mobile=True)
        await page.send("Network.setExtraHTTPHeaders",
                        headers={"Authorization": f"Bearer {TOKEN}",
                                 "Accept-Language": "ru-RU,ru;q=0.9"})
        await page.open(base)
        seen = await page.evaluate(PHONE)
        assert seen["ready"] == "ready", page.console_errors()
        assert seen["lang"] == "ru" and seen["viewport"] == 390
        assert seen["pageWidth"] <= 390, seen["pageWidth"]  # nothing scrolls the page sideways
        assert seen["widest"] <= 390
        assert seen["smallestText"] >= 10  # chart text at its real size, not scaled down
        assert "О чём спрашивают мигранты" in seen["headings"]
        assert "«Не понято» и «Вы имели в виду», по языкам" in seen["headings"]
        # Topics by their Russian titles, the id beside.
        assert any(t.startswith("Принудительный труд и торговля людьми (scams.trafficking): ")
                   for t in seen["topics"]), seen["topics"]
        # Per language, "not understood" and "did you mean" one above the other, side by side
        # with the same label.
        shown = {label: {bar["key"] for bar in bars} for label, bars in seen["pairs"].items()}
        assert {"unmatched", "didyoumean"} <= set().union(*shown.values())
        assert sum(keys == {"unmatched", "didyoumean"} for keys in shown.values()) >= 3
        # The wide topic × language table scrolls inside its box.
        assert seen["matrix"]["box"] <= 390
        assert seen["matrix"]["scroll"] >= seen["matrix"]["client"]
        assert "К каждому числу добавлен случайный шум" in seen["text"]
        ARTIFACTS.mkdir(exist_ok=True)
        shot = await page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        (ARTIFACTS / "stats-dashboard-390-ru.png").write_bytes(base64.b64decode(shot["data"]))
        assert page.console_errors() == []
