"""Settings, read once from the environment at start (or from a dict in tests)."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / "data"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


class Secret(str):
    """A string that does not show itself in reprs, tracebacks or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"


def database_url(raw: str | None, data_dir: Path) -> str:
    """SQLAlchemy's async URL, accepting Heroku's ``postgres://`` form."""
    if not raw:
        return f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}"
    url = raw.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+asyncpg://" + url[len(prefix):]
    if url.startswith("postgresql+asyncpg://"):
        # asyncpg does not know libpq's sslmode; Heroku adds ?sslmode=require
        url = url.replace("sslmode=", "ssl=")
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        url = "sqlite+aiosqlite://" + url[len("sqlite://"):]
    return url


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise ConfigError(f"{name} must be 1 or more, not {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float, *,
             zero: bool = False) -> float:
    """A number of seconds from the environment; ``zero``: 0 is a meaning ("not at all")."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= value <= 86400 or (value == 0 and not zero):
        span = "from 0 to 86400" if zero else "more than 0 and at most 86400"
        raise ConfigError(f"{name} must be {span} seconds, not {raw!r}")
    return value


_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _switch(name: str, raw: str) -> str:
    """"1", "0", or "" when unset: an on/off setting whose default depends on the service."""
    value = raw.strip().lower()
    if not value:
        return ""
    if value in _ON | _OFF:
        return "1" if value in _ON else "0"
    raise ConfigError(f"{name} must be 1 (on) or 0 (off), not {raw!r}")


def _epsilon(env: Mapping[str, str]) -> float:
    """STATS_EPSILON: the privacy budget of each published count (README, "Statistics")."""
    raw = env.get("STATS_EPSILON", "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.01 <= value <= 10:  # also refuses nan and inf: noise cannot be switched off
        raise ConfigError(f"STATS_EPSILON must be a number from 0.01 to 10, not {raw!r}. "
                          "Hint: 1 adds noise of about ±1 to every published count; "
                          "smaller protects more and blurs more.")
    return value


def _secret_key(env: Mapping[str, str], data_dir: Path) -> Secret:
    """SECRET_KEY, or a random one kept in data/ for a single development machine."""
    if env.get("SECRET_KEY"):
        return Secret(env["SECRET_KEY"])
    path = data_dir / ".secret_key"
    if path.is_file():
        return Secret(path.read_text().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return Secret(key)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """``FORWARDED_ALLOW_IPS``, as gunicorn and uvicorn name it: the addresses (or networks)
    of the proxies in front of the service, whose ``X-Forwarded-*`` headers are believed and
    which may hold many connections (they carry many clients). ``*`` trusts every address;
    empty (the default) trusts none."""

    networks: tuple[Network, ...] = ()
    everyone: bool = False

    @classmethod
    def parse(cls, raw: str) -> TrustedProxies:
        entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
        if "*" in entries:
            return cls(everyone=True)
        try:
            return cls(tuple(ipaddress.ip_network(entry, strict=False) for entry in entries))
        except ValueError:
            raise ConfigError(
                f"FORWARDED_ALLOW_IPS must be addresses or networks separated by commas "
                f"(e.g. 10.0.0.0/8,127.0.0.1) or *, not {raw!r}") from None

    def trusts(self, address: str | None) -> bool:
        """Whether a connection from ``address`` (the peer's IP) comes from a proxy."""
        if self.everyone:
            return True
        return bool(self.networks) and address is not None and _within(self.networks, address)

    def __bool__(self) -> bool:
        return self.everyone or bool(self.networks)


@lru_cache(maxsize=1024)
def _within(networks: tuple[Network, ...], address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    except ValueError:
        return False
    return any(ip in network for network in networks)


@dataclass(frozen=True)
class Settings:
    port: int = 8080
    database_url: str = ""
    content_dir: Path = ROOT / "content"
    locales_dir: Path = ROOT / "locales"
    data_dir: Path = DEFAULT_DATA_DIR
    secret_key: Secret = field(default_factory=lambda: Secret(""))
    public_url: str = ""
    forwarded_allow_ips: TrustedProxies = field(default_factory=TrustedProxies)
    telegram_bot_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    telegram_api_base_url: str = ""
    telegram_polling: bool = False  # fetch updates with getUpdates (no public address)
    twilio_account_sid: str = ""
    twilio_auth_token: Secret = field(default_factory=lambda: Secret(""))
    admin_token: Secret = field(default_factory=lambda: Secret(""))
    #: Who may use ``/api/simulate``: "1" anyone, "0" signed-in staff only, "" anyone
    #: unless ``public_url`` is https (then staff only) — see ``bot/web/simulator_access.py``.
    simulator: str = ""
    stats_min_count: int = 5
    stats_epsilon: float = 1.0  # noise on published counts; math.inf (tests only) is none
    stats_flush_seconds: float = 5.0  # how often buffered statistics events are written
    max_body_bytes: int = 64 * 1024
    session_idle_days: int = 30
    content_poll_seconds: float = 2.0
    # How long start-up waits for the topic classifier's first training (a few seconds
    # when the content changed; at once from data/models/ when not); past it, the keyword
    # matcher answers until the model is ready.
    model_wait_seconds: float = 3.0
    # Each outgoing Bot API call (connect, send, read, wait for a pooled connection): a
    # stalled call fails the update with 503, so Telegram delivers it again later.
    telegram_timeout_seconds: float = 5.0
    # Connections (bot/web/server.py): one client address may hold this many at once, and
    # a new connection must deliver its first request header within this many seconds.
    connections_per_client: int = 100
    header_timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        data_dir = Path(env.get("DATA_DIR") or DEFAULT_DATA_DIR)
        content_dir = Path(env.get("CONTENT_DIR") or ROOT / "content")
        return cls(
            port=_int(env, "PORT", 8080),
            database_url=database_url(env.get("DATABASE_URL"), data_dir),
            content_dir=content_dir,
            data_dir=data_dir,
            secret_key=_secret_key(env, data_dir),
            public_url=env.get("PUBLIC_URL", "").rstrip("/"),
            forwarded_allow_ips=TrustedProxies.parse(env.get("FORWARDED_ALLOW_IPS", "")),
            telegram_bot_token=Secret(env.get("TELEGRAM_BOT_TOKEN", "")),
            telegram_webhook_secret=Secret(env.get("TELEGRAM_WEBHOOK_SECRET", "")),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", ""),
            telegram_polling=env.get("TELEGRAM_POLLING", "").strip().lower()
            in {"1", "true", "yes", "on"},
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=Secret(env.get("TWILIO_AUTH_TOKEN", "")),
            admin_token=Secret(env.get("ADMIN_TOKEN", "")),
            simulator=_switch("SIMULATOR", env.get("SIMULATOR", "")),
            stats_min_count=_positive(_int(env, "STATS_MIN_COUNT", 5), "STATS_MIN_COUNT"),
            stats_flush_seconds=_seconds(env, "STATS_FLUSH_SECONDS", 5.0),
            stats_epsilon=_epsilon(env),
            model_wait_seconds=_seconds(env, "MODEL_WAIT_SECONDS", 3.0, zero=True),
        )
