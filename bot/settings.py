"""Process settings, read once from the environment and `.env` and injected everywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_ZALO_API_URL = "https://bot-api.zaloplatforms.com"
DEFAULT_DB_PATH = Path("data") / "villagebot.db"
SUPPORTED_LOCALES = ("vi", "en")
# Plain HTTP webhooks only make sense against a local Bot API server (the sandbox, tests).
_LOCAL_HTTP = ("http://127.0.0.1", "http://localhost")
# Telegram's secret_token alphabet (Bot API setWebhook); 32+ characters is about 190 bits.
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,256}")
_WEAK_SECRETS = ("a-long-random-string", "change-me", "changeme", "secret")


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    redis_url: str | None = None
    bot_admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1:8443"
    sandbox_listen: str = "127.0.0.1:8080"
    broadcast_grace_minutes: int = 60
    criteria_dir: Path = Path("data") / "criteria"
    metrics_listen: str | None = None  # HOST:PORT for /healthz and /metrics; off when unset
    log_format: str = "text"  # "text" or "json" (one object per line)
    bot_username: str = ""  # for offline commands (villagebot qr); else the last getMe
    # The Zalo channel (off without a token; in sandbox mode it runs against the Zalo sandbox).
    zalo_bot_token: SecretStr | None = None
    zalo_api_url: str = DEFAULT_ZALO_API_URL
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_listen: str = "127.0.0.1:8444"
    public_url: str | None = None  # base of the links to the photos sent on Zalo

    @field_validator("bot_admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError("BOT_ADMINS must be Telegram user ids separated by commas") from None
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("BOT_TOKEN must look like 123456789:AA... (from @BotFather)")
        return value

    @field_validator("zalo_bot_token", mode="before")
    @classmethod
    def _empty_zalo_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("ZALO_BOT_TOKEN must look like 1234567890:abc... (from Zalo Bot Creator)")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("zalo_webhook_url"):
            _require_strong_secret(value)
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", *_LOCAL_HTTP)):
            raise ValueError("WEBHOOK_URL must start with https:// (Telegram calls only HTTPS webhooks)")
        return value

    @field_validator("zalo_webhook_url")
    @classmethod
    def _https_zalo_webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", *_LOCAL_HTTP)):
            raise ValueError("must start with https:// (Zalo calls only HTTPS webhooks)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _strong_webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("webhook_url"):
            _require_strong_secret(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.split(":///", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path/file.db or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("text", "json"):
            raise ValueError("must be text or json")
        return value

    @field_validator("metrics_listen", mode="before")
    @classmethod
    def _empty_listen_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_listen", "sandbox_listen", "metrics_listen", "zalo_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return value
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8443")
        return value


    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zalo_public_url(self) -> str:
        return (self.public_url or f"http://{self.zalo_listen}").rstrip("/")

    @property
    def sandbox_mode(self) -> bool:
        """No token: run against the local sandbox instead of Telegram."""
        return self.bot_token is None


def _require_strong_secret(secret: SecretStr | None) -> None:
    """Without a secret anyone who can reach the port can post updates as any user."""
    value = secret.get_secret_value() if secret is not None else ""
    if not value:
        raise ValueError(
            "required with WEBHOOK_URL: generate one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    if not _SECRET_SHAPE.fullmatch(value) or len(set(value)) < 10 or any(w in value.lower() for w in _WEAK_SECRETS):
        raise ValueError(
            "too weak: use 32 to 256 random characters from A-Z a-z 0-9 _ -, "
            "e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )


def split_host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning any validation error into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper() or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"bad setting {field}: {message}") from None
