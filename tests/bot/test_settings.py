"""Settings: sandbox only with no credentials at all; bad values are clear Chinese errors."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import ConfigError, Settings, describe, get_settings

DATA_KEY = "settings-test-data-key-0123456789abcdef"
CREDS: dict[str, Any] = {
    "WECOM_CORP_ID": "wwtestcorp0001",
    "WECOM_AGENT_ID": 1000002,
    "WECOM_SECRET": "test-secret",
    "WECOM_TOKEN": "testToken",
    "WECOM_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*CREDS, "YIGONG_DATA_KEY", "YIGONG_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_no_credentials_is_sandbox() -> None:
    settings = make()
    assert settings.sandbox
    assert settings.corp_id == "ww0000sandbox"


def test_all_credentials_leave_sandbox() -> None:
    settings = make(**CREDS, YIGONG_DATA_KEY=DATA_KEY)
    assert not settings.sandbox
    assert settings.corp_id == "wwtestcorp0001" and settings.agent_id == 1000002


@pytest.mark.parametrize("dropped", sorted(CREDS))
def test_one_missing_credential_is_an_error_not_sandbox(dropped: str) -> None:
    values = {k: v for k, v in CREDS.items() if k != dropped}
    with pytest.raises(ValidationError) as err:
        make(**values, YIGONG_DATA_KEY=DATA_KEY)
    message = str(err.value)
    assert "企业微信凭据不完整" in message and f"缺少 {dropped}" in message


def test_empty_credential_counts_as_missing() -> None:
    with pytest.raises(ValidationError, match="缺少 WECOM_TOKEN"):
        make(**{**CREDS, "WECOM_TOKEN": ""}, YIGONG_DATA_KEY=DATA_KEY)


def test_all_credentials_empty_is_not_sandbox() -> None:
    # A deployment .env with blank values must refuse to start, not serve sandbox keys.
    blank = {k: "" for k in CREDS if k != "WECOM_AGENT_ID"}
    with pytest.raises(ValidationError, match="企业微信凭据不完整"):
        make(**blank)


def test_partial_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECOM_CORP_ID", "ww1")
    monkeypatch.setenv("WECOM_SECRET", "s")
    with pytest.raises(ValidationError) as err:
        make()
    message = str(err.value)
    for name in ("WECOM_AGENT_ID", "WECOM_TOKEN", "WECOM_AES_KEY"):
        assert name in message


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("abc", "应为 43 个字符，实际 3 个"),
        (CREDS["WECOM_AES_KEY"] + "=", "应为 43 个字符，实际 44 个"),
        ("_" * 43, "不是有效的 Base64"),
        ("abcdefghijklmnopqrstuvwxyz0123456789ABCDE-G", "不是有效的 Base64"),
    ],
)
def test_bad_aes_key_is_named(key: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        make(**{**CREDS, "WECOM_AES_KEY": key}, YIGONG_DATA_KEY=DATA_KEY)
    message = describe(err.value)
    assert message.startswith("WECOM_AES_KEY ") and fragment in message
    assert key not in message  # a secret: never echoed


def test_real_wecom_sample_key_is_accepted() -> None:
    settings = make(
        **{**CREDS, "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"},
        YIGONG_DATA_KEY=DATA_KEY,
    )
    assert settings.aes_key.startswith("jWmY")


@pytest.mark.parametrize("zone", ["Asia/Shanghia", "asia/shanghai", "Asia", "", "../etc/passwd"])
def test_bad_timezone_is_named(zone: str) -> None:
    with pytest.raises(ValidationError, match="YIGONG_TIMEZONE.*不是有效的时区名"):
        make(YIGONG_TIMEZONE=zone)


def test_good_timezone() -> None:
    assert make(YIGONG_TIMEZONE="Asia/Urumqi").tz.key == "Asia/Urumqi"


def test_get_settings_gives_one_readable_line_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIGONG_TIMEZONE", "Mars/Base")
    monkeypatch.setenv("YIGONG_CONCURRENCY", "many")
    with pytest.raises(ConfigError) as err:
        get_settings(_env_file=None)
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert any(line.startswith("YIGONG_TIMEZONE=") for line in lines)
    assert any(line.startswith("YIGONG_CONCURRENCY：") for line in lines)
    assert "errors.pydantic.dev" not in str(err.value)
