"""The application factory: every route, and the start-up and shutdown of what they use."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.channels import sms as sms_channel
from bot.channels import telegram
from bot.config import Settings
from bot.content.live import LiveContent
from bot.i18n import catalogs
from bot.service import BotService
from bot.stats import web as stats
from bot.storage.db import create_engine
from bot.storage.store import Store
from bot.understanding.langdetect import detector_for
from bot.understanding.matcher import index_ready
from bot.understanding.model import keep_models_in, model_ready, wait_for_first_model
from bot.web.errors import error_middleware
from bot.web.keys import CONTENT, SERVICE, SETTINGS, STORE
from bot.web.simulate import simulate
from bot.web.simulator_access import guarded

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

#: Channels and other features add their routes and start-up steps here; each is
#: ``setup(app)`` called once the core (settings, store, service) is in place.
Extension = Callable[[web.Application], None]


async def healthz(request: web.Request) -> web.Response:
    tree = request.app[CONTENT].tree
    return web.json_response({"status": "ok", "topics": len(tree.topic_ids)})


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def _core(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def core(app: web.Application) -> AsyncIterator[None]:
        store, content = app[STORE], app[CONTENT]
        stop = asyncio.Event()
        # Build the language profiles, the matcher's index and the topic classifier now
        # (a few seconds, the classifier in a child process), not on the first messages.
        await asyncio.to_thread(detector_for, content.tree)
        keep_models_in(settings.data_dir / "models")
        training = asyncio.ensure_future(model_ready(content.tree))
        await index_ready(content.tree)
        try:
            # a changed content's first training may take longer on a slow machine: the
            # keyword matcher answers until the model is there
            await asyncio.wait_for(asyncio.shield(training), settings.model_wait_seconds)
        except TimeoutError:
            log.warning("the topic classifier is still training; the keyword matcher "
                        "answers until it is ready")
        # from now on no message waits for a training (a slow webhook is sent again)
        wait_for_first_model(0)
        # Babel loads a language's CLDR dates the first time it formats one (50 ms): the
        # review dates under every topic, formatted now.
        texts = content.tree.texts.items()
        for (_, language), text in texts:
            if text.reviewed:
                app[SERVICE].catalogs.translator(language).date(text.reviewed)
        # What exists now (content, profiles, index, libraries) lives as long as the
        # process: kept out of the collector's full passes, which otherwise walk it all
        # again and again under load (tens of ms each, the webhooks' slowest answers).
        gc.freeze()

        async def reload_content() -> None:
            if await asyncio.to_thread(content.reload_if_changed):
                await asyncio.to_thread(detector_for, content.tree)
                # retrained in a child process; the last good model answers meanwhile
                await model_ready(content.tree, wait=False)

        async def housekeeping() -> None:
            await _housekeeping(store, settings)

        tasks = [
            asyncio.create_task(_every(settings.content_poll_seconds, reload_content, stop)),
            asyncio.create_task(_every(3600, housekeeping, stop, first_after=60)),
        ]
        yield
        # Ask the loops to stop and let a job in progress finish: cancelling a database
        # query mid-way leaves its driver thread calling back into a closed loop.
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.engine.dispose()
        wait_for_first_model(None)

    return core


async def _every(interval: float, job: Callable[[], Awaitable[None]], stop: asyncio.Event,
                 first_after: float | None = None) -> None:
    """Run ``job`` every ``interval`` seconds until ``stop`` is set; a failure is logged."""
    delay = interval if first_after is None else first_after
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        try:
            await job()
        except Exception:  # a bug in one pass must not stop the next ones
            log.exception("periodic job %s failed", getattr(job, "__name__", job))
        delay = interval


async def _housekeeping(store: Store, settings: Settings) -> None:
    """Delete idle sessions and old de-duplication keys."""
    try:
        removed = await store.purge_idle(settings.session_idle_days)
        await store.purge_processed()
    except Exception as exc:  # the database may be down; try again next time
        log.warning("housekeeping skipped: %s", type(exc).__name__)
        return
    if removed:
        log.info("deleted %d sessions idle for %d days", removed, settings.session_idle_days)


def create_app(settings: Settings, extensions: list[Extension] | None = None) -> web.Application:
    """The whole web application; the database is opened when the app starts."""
    app = web.Application(client_max_size=settings.max_body_bytes,
                          middlewares=[error_middleware])
    content = LiveContent(settings.content_dir)
    store = Store(create_engine(settings.database_url))  # connects on first use
    app[SETTINGS] = settings
    app[CONTENT] = content
    app[STORE] = store
    app[SERVICE] = BotService(content=content, catalogs=catalogs(settings.locales_dir),
                              store=store)
    app.cleanup_ctx.append(_core(settings))
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/simulate", guarded(simulate))
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    for extension in extensions if extensions is not None else default_extensions():
        extension(app)
    return app


def default_extensions() -> list[Extension]:
    """The optional parts: each sets itself up only when its settings are present."""
    # Statistics first: cleanup runs in reverse, so it flushes after the channels stop.
    return [stats.setup, telegram.setup, sms_channel.setup]

