"""One access-log line per request, without who made it.

aiohttp's default line starts with the client's address and ends with its user agent; for
the simulator that is the reader's own IP and browser. Here a line is the method, the path
(no query string), the status and the time. Refusals and errors (4xx, 5xx) are logged at
INFO, so an operator sees forged or misrouted webhooks; answered requests only at DEBUG,
because a line per message is noise at a country's peak and costs CPU on the hot path.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class AccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        level = logging.INFO if response.status >= 400 else logging.DEBUG
        if self.logger.isEnabledFor(level):
            self.logger.log(level, "%s %s %d %.1f ms", request.method, request.path,
                            response.status, time * 1000)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
