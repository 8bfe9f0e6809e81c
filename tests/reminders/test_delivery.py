"""Delivery through the outbox: −1 retried once, images uploaded, two schedulers send once."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date, timedelta

import typer
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.observability import render_metrics
from bot.outbox import drain
from bot.sender import RecordingSender, WeComSender
from bot.wecom_api import WeComClient
from models import OutboxMessage, ReminderRun
from models.session import make_engine, make_sessionmaker
from reminders import cli as reminders_cli
from reminders.catalog import RENDERERS, RULES
from reminders.schedule import JOB_ID, catch_up, run_once, schedule, tick
from tests.conftest import at
from tests.fake_wecom import FakeWeCom
from tests.reminders.conftest import LIAISON, County


def _late(c: County) -> None:
    c.work(c.workers[0], date(2026, 10, 20))
    c.session.commit()


def test_minus_one_is_retried_and_delivered_once(
    county: County, session_factory, fake_wecom: FakeWeCom
) -> None:  # type: ignore[no-untyped-def]
    _late(county)
    assert len(county.run("2026-11-16T09:00", ["wages_overdue"]).queued) == 1
    fake_wecom.fail_next("message/send", -1, times=1)
    sender = WeComSender(WeComClient(fake_wecom.settings()), renderers=RENDERERS)
    t0 = at("2026-11-16T09:00")
    first = drain(session_factory, sender, now=t0)
    assert (first.sent, first.retried) == (0, 1)
    assert drain(session_factory, sender, now=t0 + timedelta(seconds=1)).claimed == 0  # backoff
    second = drain(session_factory, sender, now=t0 + timedelta(seconds=5))
    assert second.sent == 1
    assert drain(session_factory, sender, now=t0 + timedelta(minutes=5)).claimed == 0
    cards = [m for m in fake_wecom.messages if m["touser"] == LIAISON]
    assert len(cards) == 1 and cards[0]["msgtype"] == "template_card"
    assert cards[0]["template_card"]["button_list"][1]["text"] == "查看明细"
    assert county.run("2026-11-16T09:00", ["wages_overdue"]).queued == []


def test_chart_is_uploaded_and_sent_as_an_image(
    county: County, session_factory, fake_wecom: FakeWeCom
) -> None:  # type: ignore[no-untyped-def]
    county.run("2026-10-09T09:00", ["quarterly_missing"])
    sender = WeComSender(WeComClient(fake_wecom.settings()), renderers=RENDERERS)
    stats = drain(session_factory, sender, now=at("2026-10-09T09:00"))
    assert stats.sent == 2 and stats.failed == 0
    assert [u["filename"] for u in fake_wecom.uploads] == ["labour_share_2026Q3.png"]
    images = [m for m in fake_wecom.messages if m["msgtype"] == "image"]
    assert images[0]["image"]["media_id"] == fake_wecom.uploads[0]["media_id"]


def test_two_schedulers_send_each_reminder_exactly_once(
    county: County, db_url: str, session_factory
) -> None:  # type: ignore[no-untyped-def]
    """Two replicas (separate engines, as separate processes would have) tick at once."""
    _late(county)
    county.add_project("NT-2026-002")
    county.session.commit()
    now = at("2026-11-16T09:00")
    barrier = threading.Barrier(2)
    senders = [RecordingSender(), RecordingSender()]
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def replica(sender: RecordingSender) -> None:
        engine = make_engine(db_url)
        factory = make_sessionmaker(engine)
        try:
            barrier.wait()
            outcomes.append(run_once(factory, now).ran)
            for _ in range(3):
                drain(factory, sender, now=now)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=replica, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(outcomes) == [False, True]
    with session_factory() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        assert s.scalar(select(func.count()).select_from(ReminderRun)) == 1
    delivered = senders[0].recorded + senders[1].recorded
    assert rows and len(delivered) == len(rows)
    assert all(r.status == "recorded" for r in rows)


def test_catch_up_runs_a_missed_day_once(county: County, services) -> None:  # type: ignore[no-untyped-def]
    _late(county)
    services.sender = RecordingSender()
    assert catch_up(services, at("2026-11-16T08:00")) is None  # before the reminder hour
    first = catch_up(services, at("2026-11-16T15:30"))
    assert first is not None and first.ran and first.result and first.result.queued
    again = catch_up(services, at("2026-11-16T16:00"))
    assert again is not None and not again.ran
    assert len(services.sender.recorded) == len(first.result.queued)


def _runs(rule: str, outcome: str) -> float:
    body = render_metrics()[0].decode()
    wanted = f'yigong_reminder_runs_total{{outcome="{outcome}",rule="{rule}"}} '
    line = next((x for x in body.splitlines() if x.startswith(wanted)), None)
    return float(line.split()[-1]) if line else 0.0


def test_tick_counts_rule_runs_and_failures_in_metrics(county: County, services) -> None:  # type: ignore[no-untyped-def]
    _late(county)
    services.sender = RecordingSender()
    before = {name: _runs(name, "ok") for name in RULES}
    assert tick(services, at("2026-11-16T09:00")).ran  # a Monday: every rule runs
    assert all(_runs(name, "ok") == before[name] + 1 for name in RULES)

    failed = _runs("all", "error")
    down = make_sessionmaker(make_engine("sqlite:////nonexistent-dir/yigong.db"))  # unreachable
    broken = dataclasses.replace(services, session_factory=down)
    assert tick(broken, at("2026-11-17T09:00")).reason == "error"
    assert _runs("all", "error") == failed + 1


def test_schedule_adds_fixed_jobs(services) -> None:  # type: ignore[no-untyped-def]
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    scheduler.start(paused=True)
    try:
        schedule(scheduler, services)
        schedule(scheduler, services)  # replaced, not doubled
        ids = sorted(j.id for j in scheduler.get_jobs())
        assert ids == [JOB_ID, f"{JOB_ID}-catch-up", f"{JOB_ID}-retry"]
        assert "hour='9'" in str(scheduler.get_job(JOB_ID).trigger)
    finally:
        scheduler.shutdown(wait=False)


def test_cli_preview_and_run(county: County, db_url: str, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _late(county)
    monkeypatch.chdir(tmp_path)  # no .env
    for var in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    app = typer.Typer()
    reminders_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keep `reminders` a sub-command
    runner = CliRunner()
    shown = runner.invoke(app, ["reminders", "preview", "--at", "2026-11-16T09:00"])
    assert shown.exit_code == 0, shown.output
    assert "wages_overdue" in shown.output and "将发送" in shown.output
    assert county.outbox() == []
    county.session.rollback()  # SQLite: release the write lock the select took
    ran = runner.invoke(app, ["reminders", "run", "--at", "2026-11-16T09:00"])
    assert ran.exit_code == 0, ran.output
    assert "沙箱记录" in ran.output
    county.session.expire_all()
    assert county.outbox() and all(r.status == "recorded" for r in county.outbox())
    county.session.rollback()
    rerun = runner.invoke(app, ["reminders", "run", "--at", "2026-11-16T09:00"])
    assert "新排队 0 条" in rerun.output


def test_overlapping_runs_end_with_a_clear_line(
    county: County, db_url: str, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A second `reminders run` while another holds the reminder lock: one line, no traceback."""
    import sqlite3

    from sqlalchemy import create_engine, text

    import models.session
    from reminders.schedule import LOCK_KEY

    _late(county)
    county.session.rollback()
    monkeypatch.chdir(tmp_path)
    for var in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    app = typer.Typer()
    reminders_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)
    if db_url.startswith("sqlite"):
        real = models.session.make_engine
        monkeypatch.setattr(
            models.session,
            "make_engine",
            lambda url, **kw: real(url, connect_args={"check_same_thread": False, "timeout": 0.5}),
        )
        other = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the first run, mid-way
        release = other.close
    else:
        holder = create_engine(db_url).connect()
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        release = holder.close
    try:
        second = CliRunner().invoke(app, ["reminders", "run", "--at", "2026-11-16T09:00"])
    finally:
        release()
    assert second.exit_code == 3, second.output
    assert "正在运行提醒" in second.output and "Traceback" not in second.output
    assert second.exception is None or isinstance(second.exception, SystemExit)
