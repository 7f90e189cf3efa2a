"""The simulator on a phone: headless Chromium at 390 × 844 CSS pixels (an iPhone 12–15).

After "Срочно нужна помощь" the emergency answer shows from its top — the headline with
112 in view without scrolling — and the input box stays on screen; the SMS view, one tap
away, shows each message a handset receives with its segments. Screenshots go to
``test-artifacts/simulator-390-*.png``.
"""

from __future__ import annotations

import asyncio
import base64
import re
from typing import Any

import pytest

from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats_browser import ARTIFACTS, DevTools, chromium, find_chromium

GEOMETRY = """(() => {
  const view = document.body.dataset.view || 'telegram';
  const pane = document.getElementById(view);
  const answers = pane.querySelectorAll('.msg.bot');
  const last = answers[answers.length - 1];
  const first = (view === 'telegram' ? last.querySelector('b') : last.querySelector('.part'))
    || last;
  const box = r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
  const tools = pane.querySelector('.tools');
  return {
    view, headline: first.textContent.slice(0, 60),
    headlineBox: box(first.getBoundingClientRect()),
    paneBox: box(pane.getBoundingClientRect()),
    toolsBottom: tools ? tools.getBoundingClientRect().bottom : null,
    inputBox: box(document.getElementById('text').getBoundingClientRect()),
    otherShown: document.getElementById(view === 'sms' ? 'telegram' : 'sms').offsetParent !== null,
    width: innerWidth, height: innerHeight,
    pageWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    meta: [...last.querySelectorAll('.meta')].map(m => m.textContent),
  };
})()"""


async def answers(page: DevTools, count: int) -> None:
    for _ in range(300):
        if await page.evaluate("document.querySelectorAll('#telegram .msg.bot').length") >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the simulator showed fewer than {count} answers")


def in_view(seen: dict[str, Any], box: str) -> bool:
    """Whether the box is on the screen (and, but for the input, inside its pane)."""
    r, pane = seen[box], seen["paneBox"]
    on_screen = 0 <= r["top"] <= r["bottom"] <= seen["height"] \
        and 0 <= r["left"] <= r["right"] <= seen["width"]
    in_pane = pane["top"] <= r["top"] <= r["bottom"] <= pane["bottom"]
    return on_screen and (box == "inputBox" or in_pane)


async def screenshot(page: DevTools, name: str) -> None:
    shot = await page.send("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)


@pytest.mark.slow
async def test_on_a_phone_the_emergency_headline_and_the_input_are_in_view(
        aiohttp_server, tmp_path, database_url):
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium on PATH: install Debian's `chromium` (.ci/run does)")
    server = await aiohttp_server(create_app(make_settings(tmp_path, database_url)))
    async with chromium(binary, tmp_path / "profile") as page:
        await page.send("Emulation.setDeviceMetricsOverride", width=390, height=844,
                        deviceScaleFactor=2, mobile=True)
        await page.open(str(server.make_url("/")))
        await answers(page, 1)  # the welcome
        await page.evaluate("document.getElementById('text').value = 'Срочно нужна помощь';"
                            "document.getElementById('form').requestSubmit()")
        await answers(page, 2)

        seen = await page.evaluate(GEOMETRY)
        assert (seen["width"], seen["height"]) == (390, 844)
        assert "112" in seen["headline"], seen
        assert in_view(seen, "headlineBox"), seen  # the answer shows from its top
        assert in_view(seen, "inputBox"), seen  # and the input stays on screen
        assert seen["view"] == "telegram" and not seen["otherShown"]  # one view at a time
        assert seen["pageWidth"] <= 390 and seen["pageHeight"] <= 844, seen  # no page scroll
        assert "emergency" in seen["meta"][-1]
        await screenshot(page, "simulator-390-telegram.png")

        # The SMS view: one tap; the emergency SMS from its top, with what it costs.
        await page.evaluate("document.querySelector('.views [data-view=sms]').click()")
        seen = await page.evaluate(GEOMETRY)
        assert seen["view"] == "sms" and not seen["otherShown"]
        assert seen["headline"].startswith("112"), seen
        assert in_view(seen, "headlineBox") and seen["headlineBox"]["top"] >= seen["toolsBottom"]
        assert in_view(seen, "inputBox"), seen
        assert seen["meta"][0].startswith("SMS 1 of 1") and "UCS-2" in seen["meta"][0]
        assert seen["meta"][-1] in {"This answer: 1 SMS, 3 segments",
                                    "This answer: 1 SMS, 2 segments"}, seen["meta"]
        await screenshot(page, "simulator-390-sms.png")

        # 9 in the SMS view: the next page of the whole text, again from its top.
        await page.evaluate("document.querySelector('[data-send=\"9\"]').click()")
        await answers(page, 3)
        seen = await page.evaluate(GEOMETRY)
        assert seen["headline"].startswith("В опасности? Звоните 112"), seen
        assert in_view(seen, "headlineBox") and in_view(seen, "inputBox"), seen
        page_text = await page.evaluate(
            "[...document.querySelectorAll('#sms .part')].pop().firstChild.textContent")
        assert re.search(r"\(1/\d+\) Далее: 9 или ЕЩЁ$", page_text), page_text
        assert page.console_errors() == []
