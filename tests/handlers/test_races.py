"""Rules that read then write hold when the same message arrives at the same moment.

Real threads on two "replicas" (two engines, two dispatchers, one database) feed the real
handlers through `Dispatcher.feed`, released together by a barrier. On PostgreSQL
(YIGONG_TEST_DATABASE_URL) this exercises the row and advisory locks of models/locks.py;
on SQLite, BEGIN IMMEDIATE.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.context import Incoming
from bot.services import Services
from bot.settings import Settings
from bot.wiring import build_services
from handlers.binding import FAIL_LIMIT
from models import WageComplaint, WagePayment, Worker, WorkRecord
from models.security import BindingAttempt, BindOutcome
from models.session import make_engine
from tests.handlers.ledger_fixtures import LIAISON, OTHER_LIAISON, Seed, seed_ledger
from tests.handlers.worker_fixtures import UNKNOWN_ID, ZHANG, People, seed_people

_ids = itertools.count(9_100_000_000)
THREADS = 8  # concurrent attempts per race (half on each replica)


@pytest.fixture
def replicas(settings: Settings, db_url: str, services: Services) -> Iterator[list[Services]]:
    """The test's services plus a second one with its own engine: two processes' worth."""
    other = build_services(settings, engine=make_engine(db_url, pool_size=THREADS))
    yield [services, other]
    other.engine.dispose()


def race(replicas: list[Services], messages: list[tuple[str, str]]) -> list[str]:
    """Feed every (user, text) at once, alternating replicas; the replies in input order."""
    barrier = threading.Barrier(len(messages))
    replies: list[str] = [""] * len(messages)
    errors: list[BaseException] = []

    def one(i: int, user: str, text: str) -> None:
        msg = Incoming(user_id=user, kind="text", text=text, msg_id=str(next(_ids)))
        barrier.wait()
        try:
            replies[i] = replicas[i % len(replicas)].dispatcher.feed(msg).text
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i, u, t)) for i, (u, t) in enumerate(messages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return replies


def scalar(engine: Engine, stmt) -> object:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.scalar(stmt)


@pytest.fixture
def seed(session: Session, settings: Settings) -> Seed:
    return seed_ledger(session, settings)


def test_concurrent_work_for_one_worker_and_date_writes_one_day(
    replicas: list[Services], seed: Seed, engine: Engine
) -> None:
    """Identical 记工 and 记工 on another project (王五 is on both) for one date: one day."""
    day = f"{seed.today - timedelta(days=2):%Y-%m-%d}"
    on_p1 = (LIAISON, f"记工 项目：NT-2026-001 日期：{day} 日薪：150\n王五 1天")
    on_p2 = (OTHER_LIAISON, f"记工 项目：NT-2026-002 日期：{day} 日薪：160\n王五 1天")
    replies = race(replicas, [on_p1, on_p2] * (THREADS // 2))
    assert sum("已记工 1 条" in r for r in replies) == 1, replies
    days = scalar(engine, select(func.sum(WorkRecord.days)))
    assert Decimal(str(days)) == 1
    assert all("已记工" in r or "已记" in r or "重复" in r for r in replies), replies


def test_concurrent_payments_never_exceed_owed(
    replicas: list[Services], seed: Seed, engine: Engine, services: Services
) -> None:
    """400元 owed; eight 发放 of 300元 at once (different amounts are not duplicates): one."""
    period_day = seed.today.replace(day=1) - timedelta(days=1)  # last month
    for d in (1, 2):
        done = services.dispatcher.feed(
            Incoming(
                user_id=LIAISON,
                kind="text",
                text=f"记工 项目：NT-2026-001 日期：{period_day.replace(day=d):%Y-%m-%d} "
                "日薪：200\n张三 1天",
                msg_id=str(next(_ids)),
            )
        )
        assert "已记工" in done.text, done.text
    period = f"{period_day:%Y-%m}"
    msgs = [
        (
            LIAISON,
            f"发放 项目：NT-2026-001 期间：{period} 日期：{seed.today:%Y-%m-%d} 方式：银行代发\n"
            f"张三 {300 - i}元",
        )
        for i in range(THREADS)
    ]
    replies = race(replicas, msgs)
    assert sum("已登记发放 1 笔" in r for r in replies) == 1, replies
    paid = scalar(engine, select(func.sum(WagePayment.amount_fen)))
    assert paid is not None and int(paid) <= 400_00  # type: ignore[call-overload]


@pytest.fixture
def people(session: Session, settings: Settings) -> People:
    p = seed_people(session, settings)
    session.commit()
    return p


def test_concurrent_binding_guesses_stop_at_the_limit(
    replicas: list[Services], people: People, engine: Engine
) -> None:
    """Thirteen wrong guesses from one account at once: exactly FAIL_LIMIT are looked up."""
    guesses = [(ZHANG, f"绑定 姓名：张三 身份证：{UNKNOWN_ID}") for _ in range(13)]
    replies = race(replicas, guesses)
    counted = scalar(
        engine,
        select(func.count()).where(
            BindingAttempt.userid == ZHANG, BindingAttempt.outcome == BindOutcome.MISMATCH
        ),
    )
    assert counted == FAIL_LIMIT, replies
    assert sum("绑定暂停" in r for r in replies) == 13 - FAIL_LIMIT
    # the right data afterwards is refused too: the account is locked for the day
    right = (ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定暂停" in race(replicas, [right])[0]
    assert scalar(engine, select(Worker.wecom_userid).where(Worker.name == "张三")) is None


def test_two_accounts_with_the_right_data_bind_one(
    replicas: list[Services], people: People, engine: Engine
) -> None:
    right = f"绑定 姓名：张三 身份证：{people.ids['张三']}"
    replies = race(replicas, [(f"acct-{i}", right) for i in range(THREADS)])
    assert sum("绑定成功" in r for r in replies) == 1, replies
    assert sum("已经绑定了另一个企业微信账号" in r for r in replies) == THREADS - 1


def test_concurrent_complaints_open_one(
    replicas: list[Services], people: People, engine: Engine
) -> None:
    period = "2026-10"
    replies = race(replicas, [("lisi", f"未收到 项目：NT-2026-001 期间：{period}")] * THREADS)
    opened = scalar(engine, select(func.count()).select_from(WageComplaint))
    assert opened == 1, replies
    assert sum("已收到您的反映" in r for r in replies) == 1
