"""`yigong doctor`: check configuration, database, Redis and WeCom, and say what to fix."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Check:
    """One finding: what was checked, how it went, and how to fix it."""

    name: str
    status: str
    detail: str
    fix: str = ""


def run_checks(settings: Settings, *, wecom: bool = True) -> list[Check]:
    checks = check_config(settings)
    checks.append(check_database(settings))
    checks.append(check_migrations(settings))
    checks.append(check_redis(settings))
    checks.append(check_calendar(settings))
    if wecom:
        checks.append(check_wecom(settings))
    return checks


def check_config(settings: Settings) -> list[Check]:
    """Settings that load are complete (a half-configured WeCom app, a malformed AES key or
    time zone stop `Settings` itself, and the CLI prints why); what is left are warnings."""
    out: list[Check] = []
    if settings.sandbox:
        out.append(Check("配置 config", WARN, "沙箱模式：未配置企业微信凭据，消息只记录不发送",
                         "上线前设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN、"
                         "WECOM_AES_KEY 与 YIGONG_DATA_KEY"))  # fmt: skip
    else:
        out.append(Check("配置 config", OK, f"企业 {settings.corp_id}，应用 {settings.agent_id}"))
    if settings.wecom_replay_window == 0:
        out.append(Check("重放窗口 replay", WARN, "WECOM_REPLAY_WINDOW=0：不检查回调时间戳",
                         "生产环境建议保持默认 600"))  # fmt: skip
    if not settings.sandbox and settings.database_url.startswith("sqlite"):
        out.append(Check("部署 deploy", WARN, "SQLite 只适合单进程（一个县）",
                         "多副本部署请用 PostgreSQL：DATABASE_URL=postgresql+psycopg://…"))  # fmt: skip
    return out


def _engine(settings: Settings) -> Any:
    from models.session import make_engine

    kwargs: dict[str, Any] = {}
    if not settings.database_url.startswith("sqlite"):
        kwargs = {"connect_args": {"connect_timeout": 5}, "pool_size": 1, "max_overflow": 0}
    return make_engine(settings.database_url, **kwargs)


def check_database(settings: Settings) -> Check:
    from sqlalchemy import text

    engine = _engine(settings)
    t0 = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            version = (
                conn.dialect.name + " " + ".".join(map(str, conn.dialect.server_version_info or ()))
            )
    except Exception as exc:
        return Check("数据库 database", FAIL, f"连接失败：{type(exc).__name__}: {str(exc).splitlines()[0][:160]}",
                     "检查 DATABASE_URL（主机、端口、用户、密码、库名）以及数据库是否已启动")  # fmt: skip
    finally:
        engine.dispose()
    ms = (time.perf_counter() - t0) * 1000
    return Check("数据库 database", OK, f"{version.strip()}，连接 {ms:.0f} ms")


def check_migrations(settings: Settings) -> Check:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from models.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads())
    engine = _engine(settings)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            tables = set(inspect(conn).get_table_names())
    except Exception:
        return Check("迁移 migrations", FAIL, "无法读取（数据库不可用）", "先修好数据库连接")
    finally:
        engine.dispose()
    if "inbound_messages" not in tables:
        return Check("迁移 migrations", FAIL, "数据库中还没有表", "运行 yigong db upgrade")
    if heads and current != heads:
        return Check("迁移 migrations", FAIL, f"数据库版本 {sorted(current) or '无'}，代码需要 {sorted(heads)}",
                     "运行 yigong db upgrade（先 yigong backup 备份）")  # fmt: skip
    return Check("迁移 migrations", OK, f"版本 {', '.join(sorted(current)) or '（无迁移记录）'}")


def check_calendar(settings: Settings, today: Any = None) -> Check:
    """The next 60 days must rest on official or loaded holidays, not on a projection."""
    from datetime import datetime, timedelta

    from sqlalchemy.orm import Session

    from models.calendar import uncovered_days
    from models.calendar_store import sync

    today = today or datetime.now(settings.tz).date()
    engine = _engine(settings)
    try:
        with Session(engine) as session:
            sync(session, force=True)
    except Exception:
        return Check(
            "节假日 calendar", FAIL, "无法读取已导入的节假日（数据库不可用）", "先修好数据库连接"
        )
    finally:
        engine.dispose()
    gap = uncovered_days(today, 60)
    if gap:
        return Check("节假日 calendar", FAIL,
                     f"{gap[0]:%Y-%m-%d} 起没有官方节假日数据，提醒按法定节日推算（不含调休）",
                     "国务院通知发布后运行 yigong calendar import 通知.txt（或 .csv/.xlsx）")  # fmt: skip
    end = today + timedelta(days=59)
    return Check(
        "节假日 calendar", OK, f"今后 60 天（至 {end:%Y-%m-%d}）有官方或已导入的节假日数据"
    )


def check_redis(settings: Settings) -> Check:
    if not settings.redis_url:
        return Check("Redis", OK, "未配置（可选；多副本时共享令牌与限流也可只用数据库）")
    from bot.redis_support import connect

    client = connect(settings.redis_url, timeout=2.0)
    t0 = time.perf_counter()
    try:
        client.ping()
    except Exception as exc:
        return Check("Redis", FAIL, f"连接失败：{type(exc).__name__}",
                     "检查 REDIS_URL 与 Redis 服务；不需要时删掉 REDIS_URL")  # fmt: skip
    finally:
        client.close()
    return Check("Redis", OK, f"PING {(time.perf_counter() - t0) * 1000:.0f} ms")


def check_wecom(settings: Settings) -> Check:
    if settings.sandbox:
        return Check(
            "企业微信 WeCom", WARN, "沙箱模式：跳过 gettoken 检查", "配置凭据后再运行 yigong doctor"
        )
    from bot.tokens import MemoryTokenStore
    from bot.wecom_api import WeComClient, WeComError

    t0 = time.perf_counter()
    try:
        with WeComClient(settings, MemoryTokenStore()) as client:
            client.get_token()
    except WeComError as err:
        return Check("企业微信 WeCom", FAIL, f"gettoken 失败：errcode {err.errcode}",
                     err.hint or "检查 WECOM_API_BASE、出口网络与应用凭据")  # fmt: skip
    except Exception as exc:
        return Check("企业微信 WeCom", FAIL, f"无法访问 {settings.wecom_api_base}：{type(exc).__name__}",
                     "检查出口网络、DNS、代理，以及 WECOM_API_BASE")  # fmt: skip
    ms = (time.perf_counter() - t0) * 1000
    return Check("企业微信 WeCom", OK, f"gettoken 成功（{ms:.0f} ms）")


def render(checks: list[Check]) -> list[str]:
    marks = {OK: "✓", WARN: "!", FAIL: "✗"}
    lines = []
    for c in checks:
        lines.append(f"{marks[c.status]} {c.name}: {c.detail}")
        if c.fix and c.status != OK:
            lines.append(f"    → {c.fix}")
    failed = sum(c.status == FAIL for c in checks)
    lines.append("全部通过 / all good" if not failed else f"{failed} 项需要修复 / {failed} to fix")
    return lines
