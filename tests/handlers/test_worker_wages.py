"""查工资, 查培训, 我的信息 through the encrypted callback: exactly my figures, nobody else's."""

from __future__ import annotations

import pytest

import handlers.worker_self as worker_self
from models.privacy import mask_id, mask_phone
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LI,
    WANG,
    ZHANG,
    People,
    people_fixture,
    set_clock,
)


@pytest.fixture
def bound(wecom, people: People) -> People:
    """张三 binds his own account first, as a villager would."""
    r = wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定成功" in r.text
    return people


def test_wages_show_exactly_my_figures_with_due_dates(wecom, bound: People, services):
    set_clock(services, "2026-11-13T09:00")  # October wages fall due today: not yet overdue
    text = wecom.text(ZHANG, "查工资").text
    assert "张三的劳务报酬（截至2026-11-13）" in text
    assert "【NT-2026-001 东关村道路硬化】" in text and "【NT-2026-003 南庄村护坡】" in text
    october = next(line for line in text.splitlines() if line.startswith("2026-10：出工12天"))
    assert "应发1,800元" in october and "已发1,000元（2026-11-10 银行代发）" in october
    assert "未发800元" in october
    assert "应于2026-11-13（周五）前发放，未到期" in october
    assert "300元" not in text  # the reversed payment is gone
    assert "2026-11：出工3天，应发450元" in text
    assert "2026-09：出工5天，应发800元，已发800元（2026-10-12 社保卡）；已发清" in text
    assert "合计未发1,570元，均未到期" in text
    assert "12333" in text


def test_overdue_flag_from_the_day_after_the_due_date(wecom, bound: People, services):
    set_clock(services, "2026-11-14T08:00")  # Saturday after Fri 11-13
    text = wecom.text(ZHANG, "我的工资").text
    assert "应于2026-11-13（周五）前发放，已逾期1天" in text
    assert "合计未发1,570元，其中已逾期1,120元" in text  # 800 on 001 + 320 on 003
    assert (
        "2026-11：出工3天，应发450元，已发0元，未发450元；应于2026-12-15（周二）前发放，未到期"
        in text
    )
    assert "12333" in text
    set_clock(services, "2026-11-16T09:00")
    assert "已逾期3天" in wecom.text(ZHANG, "工资发了吗").text


def test_nobody_elses_data_appears(wecom, bound: People):
    mine = wecom.text(ZHANG, "查工资").text
    for other in ("李四", "王五", "4,000", "1,440", "NT-2026-002", "西河村", "赵联络"):
        assert other not in mine, other
    his = wecom.text(LI, "查工资").text
    assert "李四的劳务报酬" in his and "应发4,000元" in his and "已逾期3天" in his
    for other in ("张三", "1,800", "NT-2026-003", "450元"):
        assert other not in his, other
    settled = wecom.text(WANG, "查工资").text
    assert "已发1,440元（2026-11-12 一卡通）；已发清" in settled
    assert "台账上的工资都已发清" in settled and "12333" in settled


def test_trainings_are_my_own(wecom, bound: People):
    text = wecom.text(ZHANG, "查培训").text
    assert "2026-10-15 NT-2026-001 砌筑（以工代训，4学时）" in text and "合计4学时" in text
    assert "电工安全" not in text
    assert "还没有您的培训记录" in wecom.text(WANG, "查培训").text


def test_my_info_is_masked_and_names_only_my_liaisons(wecom, bound: People):
    text = wecom.text(ZHANG, "我的信息").text
    assert mask_id(bound.ids["张三"]) in text and bound.ids["张三"] not in text
    assert mask_phone(bound.phones["张三"]) in text and bound.phones["张三"] not in text
    assert "NT-2026-001 东关村道路硬化（联系人：李联络）" in text
    assert "NT-2026-003 南庄村护坡（联系人：钱联络）" in text
    assert "赵联络" not in text and "NT-2026-002" not in text
    assert f"企业微信账号：{ZHANG}" in text


def test_queries_are_rate_limited_per_account(wecom, bound: People, monkeypatch):
    monkeypatch.setattr(worker_self, "QUERY_LIMIT", 3)
    replies = [wecom.text(ZHANG, "查工资").text for _ in range(4)]
    assert all("劳务报酬" in r for r in replies[:3])
    assert "查询太频繁" in replies[3] and "3次" in replies[3]
    assert "劳务报酬" in wecom.text(LI, "查工资").text  # another account is not affected
