"""The access log of a real ``serve`` process: refusals are visible, readers are not."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.servers import serve


def _post(url: str, data: bytes, content_type: str, agent: str) -> int:
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": content_type, "User-Agent": agent})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_access_log_names_no_reader(tmp_path):
    agent = "ReaderPhone/1.0 (unique-agent-7731)"
    log = tmp_path / "serve.log"
    env = {"TWILIO_AUTH_TOKEN": "token-for-the-access-log", "TELEGRAM_BOT_TOKEN": "",
           "LOG_LEVEL": "INFO"}
    with serve(env, tmp_path / "data", log) as (base, _):
        simulated = _post(f"{base}/api/simulate?from=reader-query-5521",
                          json.dumps({"user": "reader-1", "text": "патент"}).encode(),
                          "application/json", agent)
        forged = _post(f"{base}/sms/twilio", b"From=%2B996555123456&Body=hi",
                       "application/x-www-form-urlencoded", agent)
    assert (simulated, forged) == (200, 403)
    text = log.read_text(encoding="utf-8")
    assert "POST /sms/twilio 403" in text  # an operator sees the refused webhook
    assert "POST /api/simulate 200" not in text  # answered requests only at DEBUG
    for trace in ("127.0.0.1", "unique-agent-7731", "reader-query-5521", "996555123456"):
        assert trace not in text, trace
