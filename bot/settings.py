"""Typed configuration: the one source of settings (SPEC §7), read from the environment and `.env`."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Fixed credentials of sandbox mode: printed at start-up so that a local client can sign callbacks.
SANDBOX_TOKEN = "yigongSandboxToken"
SANDBOX_AES_KEY = "c2FuZGJveGtleWZvcnlpZ29uZ2JvdGxvY2FsdGVzdDA"  # 43 chars, base64 of 32 bytes
SANDBOX_CORP_ID = "ww0000sandbox"
SANDBOX_AGENT_ID = 1000001
SANDBOX_DATA_KEY = "sandbox-only-data-key-do-not-use-in-production!!"


class ConfigError(ValueError):
    """Settings that cannot work: one Chinese line per problem, naming the variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="sqlite:///./yigong.db", alias="DATABASE_URL")
    wecom_corp_id: str | None = Field(default=None, alias="WECOM_CORP_ID")
    wecom_agent_id: int | None = Field(default=None, alias="WECOM_AGENT_ID")
    wecom_secret: str | None = Field(default=None, alias="WECOM_SECRET")
    wecom_token: str | None = Field(default=None, alias="WECOM_TOKEN")
    wecom_aes_key: str | None = Field(default=None, alias="WECOM_AES_KEY")
    wecom_api_base: str = Field(
        default="https://qyapi.weixin.qq.com/cgi-bin/", alias="WECOM_API_BASE"
    )
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    wecom_replay_window: int = Field(default=600, ge=0, alias="WECOM_REPLAY_WINDOW")
    data_key: str | None = Field(default=None, alias="YIGONG_DATA_KEY")

    # Extensions beyond the contract of SPEC §7 (all optional).
    timezone: str = Field(default="Asia/Shanghai", alias="YIGONG_TIMEZONE")
    http_timeout: float = Field(default=5.0, gt=0, alias="YIGONG_HTTP_TIMEOUT")
    max_body_bytes: int = Field(default=64 * 1024, gt=0, alias="YIGONG_MAX_BODY_BYTES")
    max_daily_wage: int = Field(default=1000, gt=0, alias="YIGONG_MAX_DAILY_WAGE")
    allow_cash: bool = Field(default=False, alias="YIGONG_ALLOW_CASH")
    scheduler_enabled: bool = Field(default=True, alias="YIGONG_SCHEDULER")
    outbox_interval: float = Field(default=2.0, gt=0, alias="YIGONG_OUTBOX_INTERVAL")
    reminder_hour: int = Field(default=9, ge=0, le=23, alias="YIGONG_REMINDER_HOUR")
    # Callbacks handled at once per process. Unset: 1 on SQLite, which runs one writer at a
    # time anyway (more threads only fight over the GIL: bench/callback.py), 4 on PostgreSQL.
    concurrency: int = Field(default=4, ge=1, le=64, alias="YIGONG_CONCURRENCY")
    # labour-share floor of 以工代赈专项 projects (of central budget funds), 0–1
    special_min_share: Decimal = Field(
        default=Decimal("0.30"), ge=0, le=1, alias="YIGONG_SPECIAL_MIN_SHARE"
    )
    # Pages inside WeCom (web/): the public https address, and WeCom's OAuth2 authorize page.
    public_url: str = Field(default="", alias="YIGONG_PUBLIC_URL")
    oauth_authorize_url: str = Field(
        default="https://open.weixin.qq.com/connect/oauth2/authorize", alias="YIGONG_OAUTH_URL"
    )
    # A TOML file with each county's bank 代发 layout (docs/LEDGERS.md); unset: generic only.
    bank_layouts: str | None = Field(default=None, alias="YIGONG_BANK_LAYOUTS")
    # 微信客服: the account `yigong kf link` and 邀请 make links for (empty: the first listed)
    kf_open_kfid: str = Field(default="", alias="WECOM_KF_OPEN_KFID")

    @field_validator("wecom_aes_key")
    @classmethod
    def _check_aes_key(cls, value: str | None) -> str | None:
        if not value:
            return value
        hint = "：从 应用管理 → 本应用 → 接收消息 → EncodingAESKey 原样复制"
        if len(value) != 43:
            raise ValueError(f"WECOM_AES_KEY 应为 43 个字符，实际 {len(value)} 个{hint}")
        try:
            raw = base64.b64decode(value + "=", validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            raise ValueError(f"WECOM_AES_KEY 不是有效的 Base64（只能含 A-Z a-z 0-9 + /）{hint}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            raise ValueError(
                f"YIGONG_TIMEZONE={value!r} 不是有效的时区名：应为 IANA 时区，例如 Asia/Shanghai"
            ) from None
        return value

    @model_validator(mode="after")
    def _require_all_or_no_credentials(self) -> Settings:
        # A partial set must not fall back to sandbox mode (published keys on 0.0.0.0);
        # an empty value (`WECOM_TOKEN=` in .env) counts as set but missing.
        creds = self._credentials()
        missing = [name for name, value in creds.items() if value in (None, "")]
        if missing and any(value is not None for value in creds.values()):
            raise ValueError(
                "企业微信凭据不完整，缺少 " + "、".join(missing) + "：要么全部设置 "
                + "、".join(creds) + "（正式模式），要么全部不设（沙箱模式）"
            )  # fmt: skip
        return self

    @model_validator(mode="after")
    def _default_concurrency(self) -> Settings:
        if "concurrency" not in self.model_fields_set and self.database_url.startswith("sqlite"):
            self.concurrency = 1
        return self

    @model_validator(mode="after")
    def _require_data_key(self) -> Settings:
        if not self.sandbox and (self.data_key is None or len(self.data_key) < 32):
            raise ValueError("YIGONG_DATA_KEY 必须设置且不少于 32 个字符（非沙箱模式）")
        if self.data_key is not None and len(self.data_key) < 32:
            raise ValueError("YIGONG_DATA_KEY 不少于 32 个字符")
        return self

    def _credentials(self) -> dict[str, object]:
        return {
            "WECOM_CORP_ID": self.wecom_corp_id,
            "WECOM_AGENT_ID": self.wecom_agent_id,
            "WECOM_SECRET": self.wecom_secret,
            "WECOM_TOKEN": self.wecom_token,
            "WECOM_AES_KEY": self.wecom_aes_key,
        }

    @property
    def sandbox(self) -> bool:
        """True when no WeCom credentials are configured (validation forbids a partial set)."""
        return all(value in (None, "") for value in self._credentials().values())

    @property
    def corp_id(self) -> str:
        return self.wecom_corp_id if not self.sandbox and self.wecom_corp_id else SANDBOX_CORP_ID

    @property
    def agent_id(self) -> int:
        return self.wecom_agent_id if self.wecom_agent_id is not None else SANDBOX_AGENT_ID

    @property
    def token(self) -> str:
        return self.wecom_token if not self.sandbox and self.wecom_token else SANDBOX_TOKEN

    @property
    def aes_key(self) -> str:
        return self.wecom_aes_key if not self.sandbox and self.wecom_aes_key else SANDBOX_AES_KEY

    @property
    def effective_data_key(self) -> str:
        return self.data_key or SANDBOX_DATA_KEY

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment; keyword overrides win (tests, CLI flags).

    Raises ConfigError with readable messages (no echo of the values, which may be secrets).
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from exc


def describe(exc: ValidationError) -> str:
    """One line per error: our own messages as they are, pydantic's prefixed with the variable."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        if err["type"] == "value_error":
            lines.append(str(err["ctx"]["error"]))
        else:
            where = ".".join(str(part) for part in err["loc"])
            lines.append(f"{where}：{err['msg']}" if where else err["msg"])
    return "\n".join(lines)
