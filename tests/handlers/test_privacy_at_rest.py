"""After a day of binding, queries and complaints, the database holds no ID number or phone in clear."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, inspect, select, text

from bot.settings import Settings
from models import Worker
from models.privacy import personal_data
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LIAISON_A,
    UNKNOWN_ID,
    ZHANG,
    People,
    make_id,
    people_fixture,
)

NEW_ID = make_id("142329", date(1995, 5, 5), 505)
NEW_PHONE = "13600001234"


def database_text(engine: Engine) -> bytes:
    """Everything stored: the SQLite files byte for byte, or every PostgreSQL row as text."""
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks: list[bytes] = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT CAST(t AS TEXT) FROM "{table}" AS t'))
            chunks += [str(r[0]).encode() for r in rows]
    return b"\n".join(chunks)


def test_no_id_number_or_phone_in_clear(
    wecom, people: People, engine, session, settings: Settings, caplog
):
    caplog.set_level(logging.DEBUG)
    secrets = [*people.ids.values(), *people.phones.values(), NEW_ID, NEW_PHONE, UNKNOWN_ID]
    zhang_id = people.ids["张三"]
    typo = zhang_id[:17] + ("0" if zhang_id[17] != "0" else "1")
    conversation = [
        (ZHANG, f"绑定 姓名：张三 身份证：{UNKNOWN_ID}"),
        (ZHANG, f"绑定 姓名：张三 身份证：{typo}"),
        (ZHANG, f"绑定 张三 {zhang_id}"),
        (ZHANG, f"绑定 姓名：张三 身份证：{zhang_id}"),
        (ZHANG, "查工资"),
        (ZHANG, "我的信息"),
        (ZHANG, "未收到 项目：NT-2026-001 期间：2026-10"),
        (LIAISON_A, "处理 反映号：F-000001 说明：已补发"),
        (LIAISON_A, "解绑 项目：NT-2026-001 人员：" + people.ids["李四"]),
        (
            LIAISON_A,
            f"登记工人 项目：NT-2026-001 姓名：赵六 身份证：{NEW_ID} 手机：{NEW_PHONE}",
        ),
        ("zhaoliu", f"绑定 姓名：赵六 身份证：{NEW_ID}"),
        ("zhaoliu", "我的信息"),
    ]
    for user, message in conversation:
        reply = wecom.text(user, message)
        assert reply.status == 200
        for s in secrets:
            assert s not in reply.text, (message, reply.text)
    assert "赵六" in wecom.text("zhaoliu", "我的信息").text  # registered by the liaison, then bound

    stored = database_text(engine)
    assert stored, "nothing read from the database"
    assert b"142329" in stored  # masked numbers are there, so the search does see the data
    for s in [*secrets, typo]:
        assert s.encode() not in stored, f"{s[:3]}… found in clear in the database"

    # Ciphertext round-trips with the deployment's key, and only with it.
    pd = personal_data(settings.effective_data_key)
    rows = session.execute(select(Worker.name, Worker.id_cipher, Worker.phone_cipher)).all()
    session.rollback()
    decrypted = {name: (pd.decrypt(c), pd.decrypt(p) if p else None) for name, c, p in rows}
    assert decrypted["张三"] == (zhang_id, people.phones["张三"])
    assert decrypted["赵六"] == (NEW_ID, NEW_PHONE)

    logged = caplog.text
    for s in [*secrets, typo, "张三", "赵六"]:
        assert s not in logged, f"{s[:1]}… in a log line"
