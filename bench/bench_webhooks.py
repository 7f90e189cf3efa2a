"""Throughput, latency and memory of the real webhooks, beside a bare aiohttp floor.

Starts, each in its own process on a free loopback port:

- the loopback Telegram Bot API (``tests/fake_bot_api.py``), which the bot replies to;
- the floor (``bench/floor_app.py``): a bare aiohttp app that parses the same form and
  answers fixed TwiML;
- the bot itself, ``python -m bot serve``, on a fresh SQLite file in a temporary
  ``DATA_DIR`` with ``TWILIO_AUTH_TOKEN``, ``TELEGRAM_BOT_TOKEN``,
  ``TELEGRAM_WEBHOOK_SECRET`` and ``TELEGRAM_API_BASE_URL`` set.

Then drives each with ``--concurrency`` connections (32 by default): many distinct people
(phone numbers, Telegram chats), each having a short conversation — a question in their
own language (from the labelled question set), then menu digits — with signed Twilio
requests with unique ``MessageSid``s and Telegram updates with unique ``update_id``s.
Prints requests/s, p50 and p99 latency, the ratio to the floor measured in the same run,
the server's CPU time per request, and its resident memory after start and at its peak.
See ``bench/README.md`` for the results and what they led to.

    .venv/bin/python bench/bench_webhooks.py [--requests 4000] [--rounds 3]
    .venv/bin/python bench/bench_webhooks.py --profile sms   # py-spy; or --profiler cprofile

Targets (issue 9), one process on SQLite: SMS throughput at least 0.25 of the floor, p99
under 50 ms at 32 concurrent connections, RSS under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import DEFAULT_TOKEN, UpdateFactory  # noqa: E402

TWILIO_TOKEN = "bench-twilio-auth-token"
WEBHOOK_SECRET = "bench-webhook-Secret_0123456789"
SMS_PATH = "/sms/twilio"
TELEGRAM_PATH = "/telegram/webhook"
#: Country codes that make the SMS pseudonym's language hint; one per language.
PREFIXES = {"ru": "+7916", "ky": "+99655", "tg": "+99290", "uz": "+99890"}
#: After the question: the menu, a module, a topic — the digits people really send.
FOLLOW_UPS = ("0", "1", "1")


# -- processes ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        """The server's own process (under a profiler, the profiler's child)."""
        profiled = children(self.process.pid)
        return profiled[0] if profiled else self.process.pid

    def cpu_seconds(self, main_thread: bool = False) -> float:
        """User and system CPU time the process (all its threads, or only the main thread,
        which runs the event loop) has used so far."""
        where = f"/proc/{self.pid}/task/{self.pid}/stat" if main_thread else \
            f"/proc/{self.pid}/stat"
        fields = Path(where).read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, field: str = "VmHWM") -> float:
        """Resident memory in MiB: ``VmHWM`` the peak so far, ``VmRSS`` now."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def start(name: str, command: Sequence[str], env: dict[str, str], port: int, log: Path,
          ready_path: str = "/healthz") -> Server:
    with log.open("ab") as out:
        process = subprocess.Popen(list(command), cwd=ROOT, env={**os.environ, **env},
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a first start waits for its model
    while True:
        try:
            with urllib.request.urlopen(base + ready_path, timeout=1):
                return Server(name, process, base, log)
        except urllib.error.HTTPError:  # answering at all means it is up
            return Server(name, process, base, log)
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop(server: Server) -> None:
    """SIGTERM, as the platform sends it; under a profiler, to the profiled child first."""
    if server.process.poll() is None:
        profiled = children(server.process.pid)
        for child in profiled:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)
        if not profiled:
            server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextlib.contextmanager
def services(workdir: Path, profile: str | None, profiler: str) -> Iterator[dict[str, Server]]:
    api_port, floor_port, bot_port = free_port(), free_port(), free_port()
    python = sys.executable
    started: dict[str, Server] = {}
    try:
        started["api"] = start(
            "Bot API", [python, "tests/fake_bot_api.py", "--port", str(api_port)], {},
            api_port, workdir / "api.log", ready_path="/")
        started["floor"] = start(
            "floor", [python, "bench/floor_app.py", "--port", str(floor_port)], {},
            floor_port, workdir / "floor.log")
        env = {
            "PORT": str(bot_port),
            "DATA_DIR": str(workdir / "data"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'data' / 'bench.sqlite3'}",
            "SECRET_KEY": "bench-secret-key",
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
            "PUBLIC_URL": "",
            "ADMIN_TOKEN": "",
            # measure the service as it runs, not while its first model trains
            "MODEL_WAIT_SECONDS": "300",
        }
        command = [python, "-m", "bot", "serve", "--host", "127.0.0.1"]
        if profile:
            command = profiler_command(command, workdir / "profile", profiler)
        started["bot"] = start("bot", command, env, bot_port, workdir / "bot.log")
        yield started
    finally:
        for server in reversed(started.values()):
            stop(server)


def profiler_command(command: list[str], out: Path, profiler: str) -> list[str]:
    """The bot under a profiler: py-spy samples every thread from outside (the database
    driver's threads too); cProfile counts every call of the main thread exactly."""
    if profiler == "cprofile":
        return [sys.executable, "-m", "cProfile", "-o", f"{out}.prof", *command[1:]]
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return [spy, "record", "--format", "raw", "--rate", "250", "--threads",
            "--output", f"{out}.txt", "--", *command]


# -- traffic ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    path: str
    data: bytes
    headers: dict[str, str]


def questions() -> dict[str, list[str]]:
    """Real questions from the labelled set, by language (Uzbek in both scripts)."""
    by_language: dict[str, list[str]] = {language: [] for language in PREFIXES}
    lines = (ROOT / "tests" / "data" / "questions.tsv").read_text(encoding="utf-8")
    for line in lines.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1] in {"ru", "ky", "tg", "uz", "uz-Cyrl"}:
            by_language["uz" if fields[1].startswith("uz") else fields[1]].append(fields[0])
    return by_language


def conversations(kind: str, base: str, count: int, run: str) -> list[list[Request]]:
    """``count`` requests as conversations of one person each, in four languages."""
    asked = questions()
    languages = list(PREFIXES)
    numbers = itertools.count()
    updates = UpdateFactory(first_update_id=int(run) * 10_000_000)
    validator = RequestValidator(TWILIO_TOKEN)
    result: list[list[Request]] = []
    made = 0
    while made < count:
        n = next(numbers)
        language = languages[n % len(languages)]
        texts = [asked[language][n % len(asked[language])], *FOLLOW_UPS][: count - made]
        made += len(texts)
        if kind == "sms":
            phone = f"{PREFIXES[language]}{run}{n:07d}"
            result.append([_sms(validator, base, phone, text) for text in texts])
        else:
            chat = 10_000_000 + int(run) * 1_000_000 + n
            user = updates.user(chat, language)  # the Telegram app's language_code
            result.append([_telegram(updates.message(chat, text, user=user)) for text in texts])
    return result


def _sms(validator: RequestValidator, base: str, phone: str, text: str) -> Request:
    form = {"AccountSid": "AC" + "0" * 32, "MessageSid": "SM" + uuid.uuid4().hex,
            "From": phone, "To": "+15005550006", "Body": text, "NumMedia": "0",
            "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    signature = validator.compute_signature(base + SMS_PATH, form)
    body = urllib.parse.urlencode(form).encode()
    return Request(SMS_PATH, body, {"X-Twilio-Signature": signature,
                                    "Content-Type": "application/x-www-form-urlencoded"})


def _telegram(update: dict[str, Any]) -> Request:
    return Request(TELEGRAM_PATH, json.dumps(update).encode(),
                   {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                    "Content-Type": "application/json"})


@dataclass(frozen=True)
class Result:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu_seconds: float  # used by the server process while it answered these
    main_seconds: float  # of which its main thread (the event loop: the bottleneck)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def drive(server: Server, talks: list[list[Request]], concurrency: int,
                label: str) -> Result:
    """Each worker takes a whole conversation and sends it in order, one at a time."""
    queue: asyncio.Queue[list[Request]] = asyncio.Queue()
    for talk in talks:
        queue.put_nowait(talk)
    latencies: list[float] = []
    errors = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty():
            for request in queue.get_nowait():
                began = time.perf_counter()
                async with session.post(server.base + request.path, data=request.data,
                                        headers=request.headers) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - began)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began, cpu = time.perf_counter(), server.cpu_seconds()
        main = server.cpu_seconds(main_thread=True)
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        seconds, cpu = time.perf_counter() - began, server.cpu_seconds() - cpu
        main = server.cpu_seconds(main_thread=True) - main
    return Result(label, len(latencies), seconds, latencies, errors, cpu, main)


# -- the run ----------------------------------------------------------------------------------
FLOOR = "floor (bare aiohttp)"


def report(results: dict[str, list[Result]], memory: dict[str, str]) -> None:
    floor = statistics.median(r.rps for r in results[FLOOR])
    print(f"\n{'':<22}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'x floor':>9}"
          f"{'CPU ms/req':>12}{'main ms/req':>13}{'errors':>8}")
    for label, runs in results.items():
        median = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]  # the median round
        print(f"{label:<22}{median.rps:>8.0f}{median.percentile(50):>8.1f}"
              f"{median.percentile(99):>8.1f}{median.rps / floor:>9.3f}"
              f"{1000 * median.cpu_seconds / median.requests:>12.2f}"
              f"{1000 * median.main_seconds / median.requests:>13.2f}"
              f"{sum(r.errors for r in runs):>8}")
    print("\nresident memory: " + "; ".join(f"{k} {v}" for k, v in memory.items()))


async def main_async(args: argparse.Namespace, servers: dict[str, Server]) -> None:
    floor, bot = servers["floor"], servers["bot"]
    wanted = {FLOOR: "sms", "sms webhook": "sms", "telegram webhook": "telegram"}
    if args.profile:  # only the profiled webhook, and the floor to compare with
        wanted = {k: v for k, v in wanted.items() if k == FLOOR or v == args.profile}
    results: dict[str, list[Result]] = {label: [] for label in wanted}
    at_start = bot.memory_mb("VmRSS")
    # Warm-up: content indexes, connection pools, the Bot API's getMe.
    for label, kind in wanted.items():
        server = floor if label == FLOOR else bot
        await drive(server, conversations(kind, server.base, 200, "9"), args.concurrency,
                    "warm-up")
    for round_number in range(1, args.rounds + 1):
        run = str(round_number)
        for label, kind in wanted.items():
            server = floor if label == FLOOR else bot
            talks = conversations(kind, server.base, args.requests, run)
            results[label].append(await drive(server, talks, args.concurrency, label))
        print(f"round {run} of {args.rounds} done", file=sys.stderr)
    report(results, {
        "bot": f"{at_start:.0f} MiB after start, peak {bot.memory_mb():.0f} MiB",
        "floor": f"peak {floor.memory_mb():.0f} MiB"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per webhook run")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    parser.add_argument("--profile", choices=("sms", "telegram"),
                        help="run the bot under a sampling profiler, drive only this webhook")
    parser.add_argument("--profiler", choices=("py-spy", "cprofile"), default="py-spy",
                        help="py-spy: every thread, sampled (bench/profile_summary.py reads "
                        "it); cprofile: the main thread's calls (read with pstats)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    try:
        with services(workdir, args.profile, args.profiler) as servers:
            asyncio.run(main_async(args, servers))
        if args.profile:
            print(f"\nprofile and bot log in {workdir}")
        print(f"python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    finally:
        if not (args.keep or args.profile):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
