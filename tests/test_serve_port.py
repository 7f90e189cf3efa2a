"""``python -m bot serve`` as an operator starts it: a taken port is one plain line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from bot.config import ROOT
from tests.servers import stop


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "PORT"}
    full_env.update({"DATA_DIR": str(tmp_path), "LOG_LEVEL": "INFO", **(env or {})})
    return subprocess.run([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", *args],
                          cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def _taken() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def _assert_one_clear_line(done: subprocess.CompletedProcess[str], port: int) -> None:
    assert done.returncode != 0
    assert "Serving on" not in done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"port {port} is already in use" in lines[0]
    assert "--port" in lines[0] and "PORT=" in lines[0]


def test_a_taken_port_given_with_port_is_one_clear_line_and_a_failure(tmp_path):
    with _taken() as taken:
        port = taken.getsockname()[1]
        _assert_one_clear_line(_serve(tmp_path, "--port", str(port)), port)
    assert not (tmp_path / "bot.sqlite3").exists()  # nothing started: no database made


def test_a_taken_port_given_in_the_environment_is_one_clear_line_too(tmp_path):
    with _taken() as taken:
        port = taken.getsockname()[1]
        _assert_one_clear_line(_serve(tmp_path, env={"PORT": str(port)}), port)


def test_serving_on_is_printed_once_the_port_answers(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == f"Serving on http://localhost:{port} (simulator at /)"
        # Printed after the socket took requests: the very next request is answered.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.status == 200
    finally:
        stop(process)
