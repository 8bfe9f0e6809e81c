"""季度报告 and 季度调度 through encrypted callbacks: which quarters, lateness, figures, limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Contact, ProjectLiaison, QuarterlyReport, Training, WagePayment
from tests.conftest import at
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County, build_county


@pytest.fixture
def county(session: Session) -> County:
    """Project NT-2026-001 (started 2026-08-01, i.e. in 2026Q3) with liaison 李联络."""
    return build_county(session)


def _freeze(services, when: str) -> None:  # type: ignore[no-untyped-def]
    services.dispatcher.now = lambda: at(when)


def _reports(county: County) -> list[QuarterlyReport]:
    county.session.expire_all()
    rows = list(county.session.scalars(select(QuarterlyReport).order_by(QuarterlyReport.id)))
    county.session.rollback()
    return rows


def test_future_quarters_are_refused_naming_the_acceptable_ones(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2026-11-26T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：60% 季度：2030Q1").text
    assert "2030Q1 还不能报送" in reply
    assert "2026Q4，2026-12-20 起可报送" in reply
    assert "可报送的季度：2026Q3（不写季度即为 2026Q3）" in reply
    # the quarter still running is not open before the 20th of its last month either
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：60% 季度：2026Q4").text
    assert "2026Q4 还不能报送" in reply
    assert _reports(county) == []


def test_quarters_before_the_project_started_are_refused(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2027-01-04T10:00")
    for quarter in ("1999Q1", "2026Q2"):
        reply = wecom.text(LIAISON, f"季度报告 项目：NT-2026-001 进度：60% 季度：{quarter}").text
        assert f"{quarter} 在项目开工之前（开工日期 2026-08-01）" in reply
        assert "可报送的季度：2026Q3 至 2026Q4（不写季度即为 2026Q4）" in reply
    assert _reports(county) == []


def test_the_dispatched_quarter_and_earlier_ones_are_accepted(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2026-12-21T10:00")  # 2026Q4 dispatch opened on 12-20
    assert "已记录" in wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：70%").text
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：40% 季度：2026年第三季度").text
    assert "已记录" in reply
    assert [r.quarter for r in _reports(county)] == ["2026Q4", "2026Q3"]


def test_a_project_starting_later_has_nothing_to_report_yet(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    county.add_project("NT-2027-001", start_date=date(2027, 2, 1))
    county.session.commit()
    _freeze(services, "2026-11-26T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2027-001 进度：0%").text
    assert "首个季度报告为 2027Q1，2027-03-20 起可报送" in reply
    assert _reports(county) == []


def test_without_a_start_date_the_first_work_record_bounds_the_quarters(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    p = county.add_project("NT-2026-009", start_date=None)
    county.work(county.workers[0], date(2026, 9, 2), project=p)
    county.session.commit()
    _freeze(services, "2026-11-26T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-009 进度：10% 季度：2026Q2").text
    assert "未填开工日期，按最早记工日期 2026-09-02" in reply
    assert "已记录" in wecom.text(LIAISON, "季度报告 项目：NT-2026-009 进度：10%").text


def test_a_late_report_is_recorded_and_says_how_late(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2026-11-26T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：60%").text
    assert "已记录 NT-2026-001" in reply and "2026Q3" in reply
    # 2026Q3 is due 10-05, moved past the National Day holiday to 10-08
    assert (
        "2026Q3 季度报告应于 2026-10-08 前报送，已逾期 36 个工作日（49 天），报告已照常记录"
        in reply
    )
    assert "报送截止" not in reply
    assert [(r.quarter, r.progress) for r in _reports(county)] == [("2026Q3", 60)]


def test_an_on_time_report_and_a_late_correction(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2026-10-08T17:00")  # the deadline day itself is on time
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：50%").text
    assert "报送截止 2026-10-08" in reply and "逾期" not in reply
    _freeze(services, "2026-10-12T09:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：55%").text
    assert "已逾期 3 个工作日（4 天）" in reply  # 10-10 was a make-up working Saturday
    assert "首次报送（2026-10-08）在截止前，本次为截止后的修改" in reply
    assert "已覆盖此前的报告" in reply
    assert [r.progress for r in _reports(county)] == [50, 55]


def test_lateness_over_rest_days_only() -> None:
    from handlers.quarterly import lateness

    assert lateness(date(2026, 11, 13), date(2026, 11, 15)) == "已逾期 2 天（均为休息日）"
    assert lateness(date(2026, 11, 13), date(2026, 11, 16)) == "已逾期 1 个工作日（3 天）"


def test_figures_are_cumulative_through_the_quarter_end(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    a, b = county.workers
    s = county.session
    county.work(a, date(2026, 8, 20))
    county.work(a, date(2026, 9, 30))
    county.work(b, date(2026, 11, 20))  # November: not in 2026Q3
    county.pay(a, "2026-08", 15000, date(2026, 9, 10))
    county.pay(a, "2026-09", 15000, date(2026, 10, 13))  # paid after the quarter ended
    county.pay(b, "2026-11", 15000, date(2026, 11, 25))
    wrong = WagePayment(
        project_id=county.project.id, worker_id=a.id, period="2026-08", amount_fen=9900,
        paid_on=date(2026, 9, 12), method="银行代发", created_by="t",
    )  # fmt: skip
    s.add(wrong)
    s.flush()
    s.add(
        WagePayment(
            project_id=county.project.id, worker_id=a.id, period="2026-08", amount_fen=-9900,
            paid_on=date(2026, 9, 12), method="银行代发", created_by="t", reverses_id=wrong.id,
        )
    )  # fmt: skip
    for day in (date(2026, 9, 1), date(2026, 11, 2)):
        s.add(
            Training(
                project_id=county.project.id, worker_id=a.id, train_date=day, topic="砌筑",
                mode="以工代训", hours=Decimal(4), created_by="t",
            )
        )  # fmt: skip
    s.commit()
    _freeze(services, "2026-11-26T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：60%").text
    assert (
        "台账数据（截至2026-09-30累计）：务工 1 人（脱贫人口 1 人、监测对象 0 人），工日 2.00，"
        "已发劳务报酬 150元（占财政资金 0.0%），人均 150元，培训 1 人次，公益性岗位 0 个"
    ) in reply, reply
    (row,) = _reports(county)
    assert row.figures["as_of"] == "2026-09-30"
    assert (row.figures["workers"], row.figures["wages_paid_fen"]) == (1, 15000)
    assert row.figures["trainings"] == 1


def test_figures_of_a_running_quarter_are_through_today(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    a, b = county.workers
    county.work(a, date(2026, 12, 1))
    county.pay(a, "2026-11", 15000, date(2026, 12, 10))
    county.session.commit()
    _freeze(services, "2026-12-22T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：80%").text
    assert "2026Q4" in reply
    assert "台账数据（截至2026-12-22累计）：务工 1 人（脱贫人口 1 人、" in reply
    assert "已发劳务报酬 150元" in reply


def test_an_over_long_problems_field_is_refused_not_cut(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    _freeze(services, "2026-12-22T10:00")
    text = "雨季停工" * 750  # 3,000 characters
    reply = wecom.text(LIAISON, f"季度报告 项目：NT-2026-001 进度：60% 问题：{text}").text
    assert "没有写入任何记录" in reply
    assert "问题：最多 2000 字，收到 3000 字" in reply
    assert text not in reply
    assert _reports(county) == []
    body = "\n".join(["季度报告 项目：NT-2026-001 进度：60%", "雨" * 2001])
    assert "收到 2001 字" in wecom.text(LIAISON, body).text
    assert _reports(county) == []
    exact = "停" * 2000
    reply = wecom.text(LIAISON, f"季度报告 项目：NT-2026-001 进度：60% 问题：{exact}").text
    assert "已记录" in reply and "问题：" + "停" * 200 + "……（共 2000 字，已全文记录）" in reply
    assert [r.problems for r in _reports(county)] == [exact]


def test_dispatch_names_liaisons_by_name_not_userid(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    s = county.session
    p = county.add_project("NT-2026-002")
    nameless = Contact(userid="wx-zhou", name=" ", role="liaison", region_id=county.county.id)
    s.add(nameless)
    s.flush()
    s.add(ProjectLiaison(project_id=p.id, contact_id=nameless.id))
    s.commit()
    _freeze(services, "2026-10-09T10:00")
    reply = wecom.text(COUNTY_ADMIN, "季度调度").text
    assert "NT-2026-001 NT-2026-001道路（联系人：李联络）" in reply
    assert "NT-2026-002 NT-2026-002道路（联系人：李联络、wx-zhou）" in reply
    assert LIAISON not in reply


def test_nothing_paid_by_the_quarter_end_is_a_zero_share(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    county.work(county.workers[0], date(2026, 9, 10))
    county.pay(county.workers[0], "2026-09", 15000, date(2026, 10, 13))
    county.session.commit()
    _freeze(services, "2026-10-14T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：30%").text
    assert "（截至2026-09-30累计）" in reply
    assert "已发劳务报酬 0元（占财政资金 0.0%）" in reply
    assert "劳务报酬占比低于 15% 的最低要求" in reply
    (row,) = _reports(county)
    assert row.figures["labour_share"] == "0.0000"
