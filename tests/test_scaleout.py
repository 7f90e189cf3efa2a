"""Two ``serve`` processes on one PostgreSQL behave as one bot."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.servers import serve


def simulate(base: str, user: str, text: str) -> dict:
    request = urllib.request.Request(
        base + "/api/simulate", data=json.dumps({"user": user, "text": text}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.db
@pytest.mark.slow
def test_a_conversation_moves_between_processes(postgres_url, tmp_path):
    env = {"DATABASE_URL": postgres_url, "SECRET_KEY": "shared-secret-for-both"}
    with serve(env, tmp_path / "a", tmp_path / "a.log") as (first, _), \
         serve(env, tmp_path / "b", tmp_path / "b.log") as (second, _):
        simulate(first, "walker", "/start")
        assert simulate(second, "walker", "2")["language"] == "ky"  # chosen on the second
        module = simulate(first, "walker", "1")  # the first knows where the walker stands
        assert module["kind"] == "module" and module["language"] == "ky"
        topic = simulate(second, "walker", "1")
        assert topic["topic"] == "permits.russia-patent"
        assert simulate(first, "someone-else", "0")["language"] == "ru"
