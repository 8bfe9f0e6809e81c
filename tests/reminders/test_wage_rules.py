"""Wage reminders on real dates: Sunday pay days, National Day, escalation once per level."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Escalation
from tests.conftest import at
from tests.reminders.conftest import CITY_ADMIN, COUNTY_ADMIN, LIAISON, County

WAGE_RULES = [
    "wages_due_soon",
    "wages_overdue",
    "escalate_county",
    "escalate_city",
    "overdue_admin_digest",
]


def _october_work(c: County) -> None:
    a, b = c.workers
    c.work(a, date(2026, 10, 20))
    c.work(a, date(2026, 10, 21))
    c.work(b, date(2026, 10, 20))
    c.pay(b, "2026-10", 15000, date(2026, 11, 5))  # b is paid in full; a is owed 300元
    c.session.commit()


def test_pay_day_on_sunday_is_due_the_friday_before(county: County) -> None:
    _october_work(county)
    # 2026-11-15 is a Sunday: wages for October are due Friday 11-13; "3 days before" is 11-10.
    assert county.run("2026-11-09T09:00", WAGE_RULES).queued == []
    soon = county.run("2026-11-10T09:00", WAGE_RULES).queued
    assert [(o.rule, o.recipient, o.subject) for o in soon] == [
        ("wages_due_soon", LIAISON, "2026-11-13")
    ]
    assert "2026-11-13" in soon[0].text and "300元" in soon[0].text and "1 人" in soon[0].text
    assert county.run("2026-11-12T09:00", WAGE_RULES).queued == []  # once per due date
    assert county.run("2026-11-13T09:00", WAGE_RULES).queued == []  # due today: not yet late
    late = county.run("2026-11-16T09:00", WAGE_RULES).queued  # Monday: 3 days past Friday
    assert {(o.rule, o.recipient) for o in late} == {
        ("wages_overdue", LIAISON),
        ("escalate_county", COUNTY_ADMIN),
    }


def test_no_liaison_reminders_on_rest_days_but_escalations_run(county: County) -> None:
    _october_work(county)
    saturday = county.run("2026-11-14T09:00", WAGE_RULES)  # overdue by 1 day, a Saturday
    assert saturday.queued == [] and "wages_overdue" in saturday.skipped_rules
    assert "escalate_county" not in saturday.skipped_rules


def test_national_day_holiday(county: County) -> None:
    # Pay day 1: September's wages are due 10-01, a holiday → the working day before, 09-30.
    p = county.add_project("NT-2026-009", pay_day=1)
    a = county.workers[0]
    county.work(a, date(2026, 9, 10), project=p)
    county.session.commit()
    # 3 working days before 09-30 is 09-24 (09-25 is Mid-Autumn, 09-26/27 a weekend).
    assert county.run("2026-09-23T09:00", WAGE_RULES).queued == []
    assert [o.subject for o in county.run("2026-09-24T09:00", WAGE_RULES).queued] == ["2026-09-30"]
    # During the holiday nothing goes to liaisons; the county escalation still happens on 10-03.
    for day in (1, 2):
        assert county.run(f"2026-10-0{day}T09:00", WAGE_RULES).queued == []
    third = county.run("2026-10-03T09:00", WAGE_RULES).queued
    assert [(o.rule, o.recipient) for o in third] == [("escalate_county", COUNTY_ADMIN)]
    assert "NT-2026-009" in third[0].text
    # First working day after the holiday: the liaison's digest, and the admin's daily digest.
    after = county.run("2026-10-08T09:00", WAGE_RULES).queued
    assert {(o.rule, o.recipient) for o in after} == {
        ("wages_overdue", LIAISON),
        ("overdue_admin_digest", COUNTY_ADMIN),
    }


def test_escalation_county_after_3_and_city_after_15_days_once_each(county: County) -> None:
    _october_work(county)
    sent: dict[str, list[str]] = {}
    day = date(2026, 11, 14)
    while day <= date(2026, 12, 10):
        for o in county.run(f"{day.isoformat()}T09:00", WAGE_RULES).queued:
            sent.setdefault(o.rule, []).append(day.isoformat())
        day += timedelta(days=1)
    assert sent["escalate_county"] == ["2026-11-16"]  # due 11-13 + 3 calendar days
    assert sent["escalate_city"] == ["2026-11-28"]  # + 15 days, a Saturday: still sent
    county_rows = county.outbox("escalate_county")
    assert [r.recipient for r in county_rows] == [COUNTY_ADMIN]
    assert [r.recipient for r in county.outbox("escalate_city")] == [CITY_ADMIN]
    # Afterwards the project appears in the admins' daily digest (working days only).
    digests = county.outbox("overdue_admin_digest")
    assert {r.recipient for r in digests} == {COUNTY_ADMIN, CITY_ADMIN}
    assert all(date.fromisoformat(r.dedup_key.rsplit("|", 1)[1]).weekday() < 5 for r in digests)
    # Liaison digests: one a working day, each a template card with the two buttons.
    cards = county.outbox("wages_overdue")
    assert len(cards) == len({r.dedup_key for r in cards})
    card = cards[0].payload["template_card"]
    assert [b["text"] for b in card["button_list"]] == ["已安排发放", "查看明细"]
    assert len(county.session.scalars(select(Escalation)).all()) == 2


def test_paid_in_time_stops_reminders(county: County) -> None:
    _october_work(county)
    county.pay(county.workers[0], "2026-10", 30000, date(2026, 11, 12))
    county.session.commit()
    assert county.run("2026-11-10T09:00", WAGE_RULES).queued == []
    assert county.run("2026-11-20T09:00", WAGE_RULES).queued == []


def test_second_run_at_the_same_moment_sends_nothing(county: County) -> None:
    _october_work(county)
    first = county.run("2026-11-16T09:00")
    assert first.queued
    again = county.run("2026-11-16T09:00")
    assert again.queued == [] and len(again.owed) == len(first.owed)
    assert len(county.outbox()) == len(first.queued)


def test_digest_is_one_message_per_person_not_per_worker(county: County) -> None:
    other = county.add_project("NT-2026-002")
    for w in county.workers:
        county.work(w, date(2026, 10, 20))
        county.work(w, date(2026, 10, 20), project=other)
    county.session.commit()
    rows = county.run("2026-11-17T09:00", ["wages_overdue"]).queued
    assert len(rows) == 1
    assert "2 个项目" in rows[0].text and "NT-2026-002" in rows[0].text


def test_frozen_moment_is_local_time(county: County) -> None:
    assert at("2026-11-16T09:00").utcoffset() == timedelta(hours=8)
