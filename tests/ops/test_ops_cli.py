"""`yigong doctor`, `backup` and `restore` through the real command line."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import models
from bot.cli import build_cli
from models.migrate import upgrade
from models.session import make_engine, make_sessionmaker
from tests.conftest import PG_URL

runner = CliRunner()
SANDBOX_ENV: dict[str, str | None] = dict.fromkeys(
    [
        "WECOM_CORP_ID",
        "WECOM_SECRET",
        "WECOM_TOKEN",
        "WECOM_AES_KEY",
        "WECOM_AGENT_ID",
        "YIGONG_DATA_KEY",
        "REDIS_URL",
    ]
)  # None unsets: sandbox mode whatever the caller's environment


def _run(args: list[str], url: str, **env: str | None) -> tuple[int, str]:
    result = runner.invoke(build_cli(), args, env={**SANDBOX_ENV, "DATABASE_URL": url, **env})
    return result.exit_code, result.output


def _seed(engine: Engine, n: int) -> None:
    with make_sessionmaker(engine)() as session, session.begin():
        for i in range(n):
            session.add(models.InboundMessage(key=f"msg:backup-{i}", user_id="u", reply_text="好"))


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(models.InboundMessage)).scalar_one()
        )


def test_doctor_in_sandbox(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doc.db"
    code, out = _run(["doctor"], url)
    assert code == 1 and "沙箱模式" in out and "yigong db upgrade" in out
    upgrade(url)
    code, out = _run(["doctor"], url)
    if "✗ 节假日 calendar" in out:  # the next 60 days reach a year without official data
        assert code == 1 and "yigong calendar import" in out
        _load_holidays(tmp_path, url)
        code, out = _run(["doctor"], url)
    assert code == 0, out
    assert "✓ 数据库 database" in out and "✓ 节假日 calendar" in out and "全部通过" in out


def _load_holidays(tmp_path: Path, url: str) -> None:
    """Load the statutory holidays of this year and the next, as a province would."""
    import datetime as dt

    import holidays

    year = dt.datetime.now(dt.UTC).year
    table = tmp_path / "holidays.txt"
    days = holidays.country_holidays("CN", years=[year, year + 1])
    table.write_text("\n".join(f"{d:%Y-%m-%d} 休 {n}" for d, n in sorted(days.items())))
    code, out = _run(["calendar", "import", str(table)], url)
    assert code == 0, out


def test_doctor_names_what_to_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doc.db"
    code, out = _run(["doctor"], url, WECOM_CORP_ID="wwx")  # half configured: not sandbox
    assert code == 2 and "WECOM_SECRET" in out and "Traceback" not in out
    code, out = _run(["doctor"], url, REDIS_URL="redis://127.0.0.1:1/0")
    assert code == 1 and "REDIS_URL" in out
    code, out = _run(["doctor"], "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert code == 1 and "DATABASE_URL" in out


def test_backup_and_restore_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    _seed(engine, 5)
    backup = tmp_path / "backups" / "yigong.sqlite"
    code, out = _run(["backup", str(backup)], url)
    assert code == 0, out
    _seed_more = [f"msg:later-{i}" for i in range(3)]
    with engine.begin() as conn:
        for key in _seed_more:
            conn.execute(text("INSERT INTO inbound_messages (key, user_id, received_at, reply_text, response_body) "
                              "VALUES (:k, 'u', CURRENT_TIMESTAMP, '', '')"), {"k": key})  # fmt: skip
    assert _count(engine) == 8
    code, out = _run(["restore", str(backup), "--yes"], url)
    assert code == 0, out
    assert _count(engine) == 5
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"not a backup")
    code, out = _run(["restore", str(bogus), "--yes"], url)
    assert code == 1 and _count(engine) == 5
    engine.dispose()


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL only")
def test_backup_and_restore_postgresql(tmp_path: Path, engine: Engine, db_url: str) -> None:
    _seed(engine, 7)
    backup = tmp_path / "yigong.dump"
    code, out = _run(["backup", str(backup)], db_url)
    assert code == 0, out
    assert backup.read_bytes().startswith(b"PGDMP")
    # Restore into a scratch database, so the suite's own database is left alone.
    name = "yigong_restore_" + uuid.uuid4().hex[:8]
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        code, out = _run(["restore", str(backup), "--yes"], target)
        assert code == 0, out
        restored = make_engine(target)
        assert _count(restored) == 7
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_files_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    _seed(engine, 2)
    engine.dispose()
    backup = tmp_path / "yigong.sqlite"
    backup.write_bytes(b"")
    backup.chmod(0o644)  # an older, world-readable file of the same name
    code, out = _run(["backup", str(backup)], url)
    assert code == 0, out
    assert backup.stat().st_mode & 0o777 == 0o600


def test_pg_dump_gets_the_password_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A stand-in pg_dump on PATH records what `ps` would show: argv, and the password's source."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen.txt"
    tool = bin_dir / "pg_dump"
    tool.write_text(
        "#!/bin/sh\n"
        f'echo "ARGV $*" > {seen}\n'
        f'echo "PGPASSWORD=$PGPASSWORD" >> {seen}\n'
        'while [ "$1" != "--file" ]; do shift; done; printf PGDMP > "$2"\n'
    )
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    target = tmp_path / "y.dump"
    url = "postgresql+psycopg://yigong:s3cret-pw@127.0.0.1:5432/yigong"
    code, out = _run(["backup", str(target)], url)
    assert code == 0, out
    argv, env = seen.read_text().splitlines()
    assert "s3cret-pw" not in argv and "postgresql://yigong@127.0.0.1:5432/yigong" in argv
    assert env == "PGPASSWORD=s3cret-pw"
    assert target.stat().st_mode & 0o777 == 0o600
