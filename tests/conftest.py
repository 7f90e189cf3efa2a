"""Shared fixtures: settings built from a dict, a real database, and the real app.

Databases: SQLite in ``tmp_path`` by default. With ``TEST_DATABASE_URL`` set (``.ci/run``
sets it), tests that take ``database_url`` run on PostgreSQL instead, in a database of
their own created for this test run, so parallel runs never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import ROOT, Secret, Settings
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade

TABLES = ("sessions", "processed_messages", "stats_events", "stats_daily", "stats_uniques",
          "stats_salts", "stats_visitors", "stats_access")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses a database (runs again on PostgreSQL in CI)")


async def _admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin.render_as_string(hide_password=False))
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, or a skip saying why there is none."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run)")
    name = f"bot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server reachable at {make_url(base).host}: "
                    f"{type(exc).__name__}: {exc}")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> str:
    """The run's PostgreSQL database, emptied: counts of rows see this test's alone."""
    asyncio.run(_truncate(postgres_url))
    return postgres_url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite in tmp_path, or the run's PostgreSQL database emptied before each test."""
    if os.environ.get("TEST_DATABASE_URL"):
        url: str = request.getfixturevalue("postgres_url")
        asyncio.run(_truncate(url))
        yield url
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    yield url


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
    finally:
        await engine.dispose()


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "content_dir": ROOT / "content",
        "data_dir": tmp_path,
        "secret_key": Secret("test-secret-key"),
        "content_poll_seconds": 0.2,
        # a test's answers come from the trained model, not from how fast training was
        "model_wait_seconds": 300.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> AsyncIterator[Any]:
    from bot.web.app import create_app

    yield await aiohttp_client(create_app(settings))
