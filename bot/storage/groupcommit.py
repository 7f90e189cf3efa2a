"""Group commit: the small reads and writes of many concurrent messages, one transaction.

Each message needs a few tiny statements (claim its id, load its session, save it, keep
its answer). As separate transactions they cost a pool checkout, a BEGIN, a COMMIT and
several hops to the driver's thread each, which was most of an SMS's CPU time in
``bench/bench_webhooks.py``. Here callers queue their operation and wait; one runner takes
everything queued so far and hands it to ``execute`` as one batch, so under load a single
transaction serves dozens of messages, and with one message in flight nothing waits longer
than before. Nothing is acknowledged before its batch has committed.

The runner exists only while there is work: the first operation starts it and it ends when
the queue is empty, so there is nothing to start or stop with the application.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Op = TypeVar("Op")
Result = TypeVar("Result")

#: Run one batch; the result for each operation, in order, or the exception it met.
Execute = Callable[[Sequence[Op]], Awaitable[Sequence["Result | BaseException"]]]

#: A bound on one transaction's size (and on SQLite's bound variables in one statement).
MAX_BATCH = 200


class GroupCommit(Generic[Op, Result]):
    def __init__(self, execute: Execute[Op, Result], max_batch: int = MAX_BATCH) -> None:
        self._execute = execute
        self._max_batch = max_batch
        self._pending: list[tuple[Op, asyncio.Future[Result]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, op: Op) -> Result:
        """Queue ``op`` and wait until the transaction holding it has committed."""
        return await self.queue(op)

    def queue(self, op: Op) -> asyncio.Future[Result]:
        """Queue ``op`` now; the future is done once its transaction has committed.

        Operations queued before the caller next awaits share a batch, and batches commit
        in order: awaiting a later operation also means every earlier one is committed.
        """
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return future

    async def _run(self) -> None:
        batch: list[tuple[Op, asyncio.Future[Result]]] = []
        try:
            while self._pending:
                # One turn of the loop first: requests woken by the last commit queue their
                # next operation in it, so they join this batch instead of the next one.
                await asyncio.sleep(0)
                batch = self._pending[:self._max_batch]
                del self._pending[:self._max_batch]
                try:
                    results = await self._execute([op for op, _ in batch])
                except Exception as exc:  # every waiter hears of it
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # its caller was cancelled; the work is done anyway
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                batch = []
        except BaseException as exc:  # cancelled at shutdown: nobody may wait forever
            for _, future in (*batch, *self._pending):
                if future.done():
                    continue
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                else:
                    future.cancel()
            self._pending.clear()
            raise
        finally:
            self._runner = None
