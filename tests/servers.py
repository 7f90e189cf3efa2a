"""Run real ``python -m bot serve`` processes for tests that need whole services."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from bot.config import ROOT
from tests.fake_bot_api import FakeBotApi

Api = TypeVar("Api", bound=FakeBotApi)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(env: dict[str, str], data_dir: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """One service process; yields its base URL and the process. Stops it with SIGTERM."""
    port = free_port()
    # the answers come from the trained model, however long its training takes here
    full_env = {**os.environ, "PORT": str(port), "DATA_DIR": str(data_dir),
                "MODEL_WAIT_SECONDS": "300", **env}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the service did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield base, process
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, and SIGKILL when the process has not ended 15 seconds later."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def bot_api_in_a_thread(api: Api) -> Iterator[Api]:
    """Run a loopback Bot API on its own event loop, so blocking test code (a subprocess,
    urllib) cannot stall it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(api.start(), loop).result(timeout=10)
    try:
        yield api
    finally:
        asyncio.run_coroutine_threadsafe(api.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
