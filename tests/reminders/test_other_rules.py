"""Quarterly dispatch, labour share, completion, stale ledgers and complaint escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from models import QuarterlyReport, WageComplaint
from reminders.completion import completion_messages, queue_completion
from reminders.labour_share import labour_ratio_messages
from reminders.quarterly import dispatch_quarter, missing_day
from tests.conftest import at
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County

Q = ["quarterly_open", "quarterly_due", "quarterly_missing"]


def _report(c: County, project_id: int, quarter: str) -> None:
    c.session.add(
        QuarterlyReport(project_id=project_id, quarter=quarter, progress=50, submitted_by=LIAISON)
    )
    c.session.commit()


def test_quarter_deadline_in_the_national_day_holiday(county: County) -> None:
    county.add_project("NT-2026-002")
    county.session.commit()
    # Q3 opens 09-20 (a make-up working Sunday); 10-05 is in the holiday → deadline 10-08.
    assert dispatch_quarter(date(2026, 9, 19)) == "2026Q2"
    assert county.run("2026-09-19T09:00", Q).queued == []
    opened = county.run("2026-09-20T09:00", Q).queued
    assert [(o.rule, o.recipient, o.subject) for o in opened] == [
        ("quarterly_open", LIAISON, "2026Q3")
    ]
    assert "NT-2026-001" in opened[0].text and "NT-2026-002" in opened[0].text
    _report(county, county.project.id, "2026Q3")
    # "3 days before" counts working days: 09-28; the holiday days send nothing.
    assert county.run("2026-09-27T09:00", Q).queued == []
    before = county.run("2026-09-28T09:00", Q).queued
    assert [(o.rule, o.period) for o in before] == [("quarterly_due", "before")]
    assert "NT-2026-002" in before[0].text and "NT-2026-001" not in before[0].text
    assert county.run("2026-10-06T09:00", Q).queued == []
    on_day = county.run("2026-10-08T09:00", Q).queued
    assert [(o.rule, o.period) for o in on_day] == [("quarterly_due", "deadline")]
    assert missing_day("2026Q3") == date(2026, 10, 9)
    summary = county.run("2026-10-09T09:00", Q).queued
    assert [(o.rule, o.recipient, o.msgtype) for o in summary] == [
        ("quarterly_missing", COUNTY_ADMIN, "text"),
        ("quarterly_missing", COUNTY_ADMIN, "image"),
    ]
    assert "未报 1 个" in summary[0].text and "NT-2026-002" in summary[0].text
    assert "联系人：李联络" in summary[0].text and LIAISON not in summary[0].text  # a name
    image = summary[1].body()
    assert image["filename"] == "labour_share_2026Q3.png"
    from bot.sender import render_payload
    from reminders.catalog import RENDERERS

    assert render_payload(image, RENDERERS).startswith(
        b"\x89PNG"
    )  # drawn when sent, not in the tick
    assert county.run("2026-10-12T09:00", Q).queued == []  # once per quarter


def test_quarterly_summary_lists_projects_below_their_floor(county: County) -> None:
    county.work(county.workers[0], date(2026, 12, 1))
    county.pay(county.workers[0], "2026-12", 15000, date(2026, 12, 20))
    summary = county.run("2027-01-06T09:00", ["quarterly_missing"]).queued
    assert "劳务报酬占比低于最低要求" in summary[0].text and "0.0%" in summary[0].text


def test_labour_ratio_at_registration_and_completion(county: County) -> None:
    p = county.project
    p.planned_labour_fen = 10_000_000  # 10% of 1,000,000元
    county.session.flush()
    owed = labour_ratio_messages(county.session, p, at("2026-11-02T10:00"), event="registered")
    assert {o.recipient for o in owed} == {LIAISON, COUNTY_ADMIN}
    assert "10.0%" in owed[0].text and "15.0%" in owed[0].text
    p.planned_labour_fen = 20_000_000
    assert labour_ratio_messages(county.session, p, at("2026-11-02T10:00")) == []
    p.category = "重推"
    p.uses_xianjie = False
    p.min_labour_share = None
    assert p.labour_floor is None
    assert labour_ratio_messages(county.session, p, at("2026-11-02T10:00"), event="completed") == []


def test_completion_check(county: County) -> None:
    county.work(county.workers[0], date(2026, 11, 20))
    county.project.status = "completed"
    county.project.completed_at = datetime(2026, 11, 25, tzinfo=UTC)
    owed = completion_messages(county.session, county.project, at("2026-11-25T10:00"))
    assert {o.recipient for o in owed} == {LIAISON, COUNTY_ADMIN}
    text = owed[0].text
    assert "150元" in text and "劳务报酬发放台账为空" in text and "技能培训台账为空" in text
    assert "务工台账为空" not in text.replace("劳务报酬发放台账为空", "")
    assert "低于 15.0%" in text
    assert len(queue_completion(county.session, county.project, at("2026-11-25T10:00"))) == 2
    assert queue_completion(county.session, county.project, at("2026-11-25T11:00")) == []


def test_stale_ledger_weekly(county: County) -> None:
    county.work(county.workers[0], date(2026, 11, 2))
    first = county.run("2026-11-16T09:00", ["stale_ledger"]).queued  # 14 days since 11-02
    assert [(o.recipient, o.period) for o in first] == [(LIAISON, "2026-W47")]
    assert "2026-11-02" in first[0].text
    assert county.run("2026-11-17T09:00", ["stale_ledger"]).queued == []  # same week
    assert len(county.run("2026-11-23T09:00", ["stale_ledger"]).queued) == 1
    county.work(county.workers[0], date(2026, 11, 27))
    assert county.run("2026-11-30T09:00", ["stale_ledger"]).queued == []


def test_complaint_escalates_to_county_after_7_days_once(county: County) -> None:
    c = WageComplaint(
        project_id=county.project.id, worker_id=county.workers[0].id, period="2026-10",
        created_by="worker-zhang", created_at=at("2026-11-20T15:00"),
    )  # fmt: skip
    county.session.add(c)
    county.session.commit()
    assert county.run("2026-11-27T09:00", ["complaint_escalation"]).queued == []
    sent = county.run("2026-11-28T09:00", ["complaint_escalation"]).queued  # a Saturday
    assert [o.recipient for o in sent] == [COUNTY_ADMIN]
    assert c.number in sent[0].text and "张三" in sent[0].text and "12333" in sent[0].text
    assert county.run("2026-11-29T09:00", ["complaint_escalation"]).queued == []
    c.status = "resolved"
    county.session.commit()


def test_floor_is_per_project(county: County) -> None:
    county.project.min_labour_share = Decimal("0.30")
    county.project.planned_labour_fen = 20_000_000
    owed = labour_ratio_messages(county.session, county.project, at("2026-11-02T10:00"))
    assert owed and "30.0%" in owed[0].text


def test_a_complaint_paid_in_the_ledger_stops_escalating(county: County) -> None:
    a, b = county.workers
    county.work(a, date(2026, 10, 12))
    county.work(b, date(2026, 10, 12))
    for w in (a, b):
        county.session.add(
            WageComplaint(
                project_id=county.project.id, worker_id=w.id, period="2026-10",
                created_by="worker", created_at=at("2026-11-20T15:00"),
            )
        )  # fmt: skip
    county.pay(a, "2026-10", 15000, date(2026, 11, 25))  # 张三 paid; 李四 still owed
    county.session.commit()
    sent = county.run("2026-11-28T09:00", ["complaint_escalation"]).queued
    assert len(sent) == 1 and "李四" in sent[0].text and "张三" not in sent[0].text
