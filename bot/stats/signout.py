"""Server-side sign-out: the sign-in generation, one row in ``stats_access``.

A session cookie carries the generation it was made in; signing out adds one to it, in
the database that every process reads, so a cookie made before — in this browser or
copied elsewhere — is refused by every process from then on.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.stats.models import StatsAccess
from bot.stats.sql import insert_for

ROW = 1


async def current_generation(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        generation = (await conn.execute(
            select(StatsAccess.generation).where(StatsAccess.id == ROW))).scalar()
        await conn.rollback()
    return int(generation or 0)


async def sign_out_everywhere(engine: AsyncEngine) -> int:
    """End every session; returns the new generation."""
    async with engine.begin() as conn:
        statement = insert_for(conn, StatsAccess).values(id=ROW, generation=0)
        await conn.execute(statement.on_conflict_do_nothing(index_elements=["id"]))
        await conn.execute(update(StatsAccess).where(StatsAccess.id == ROW)
                           .values(generation=StatsAccess.generation + 1))
        generation = (await conn.execute(
            select(StatsAccess.generation).where(StatsAccess.id == ROW))).scalar_one()
    return int(generation)
