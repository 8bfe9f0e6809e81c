"""Hostile input is just input: garbage at the callback gives a 4xx, writes nothing, leaks nothing."""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.services import Services
from bot.settings import Settings
from tests.builders import WeComUser, message_xml

URL = "/wecom/callback"
# Tables that only a successful, authorised command may write.
DOMAIN_TABLES = (
    "work_records", "wage_payments", "trainings", "public_posts", "contacts", "workers",
    "project_workers", "regions", "projects", "project_liaisons", "quarterly_reports",
    "wage_complaints",
)  # fmt: skip
FUZZ = hypothesis_settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><xml><Encrypt>&lol9;</Encrypt></xml>'
)  # fmt: skip
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'


def _count(factory: sessionmaker[Session], table: str) -> int:
    with factory() as session:
        return int(session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def _inbound(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(
            session.execute(select(func.count()).select_from(models.InboundMessage)).scalar_one()
        )


def _signed_query(settings: Settings) -> dict[str, str]:
    return {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "abc"}


def _assert_no_domain_writes(factory: sessionmaker[Session]) -> None:
    assert {t: _count(factory, t) for t in DOMAIN_TABLES} == dict.fromkeys(DOMAIN_TABLES, 0)


query_values = st.text(max_size=60) | st.sampled_from(["", "0", "-1", "9" * 40, "%00", "\x00"])
queries = st.dictionaries(
    st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "x", "Encrypt"])
    | st.text(max_size=10),
    query_values,
    max_size=6,
)


@FUZZ
@given(body=st.binary(max_size=4096), query=queries, method=st.sampled_from(["GET", "POST"]))
def test_random_bytes_and_queries(
    client: TestClient,
    session_factory: sessionmaker[Session],
    body: bytes,
    query: dict[str, str],
    method: str,
) -> None:
    resp = client.request(method, URL, params=query, content=body if method == "POST" else None)
    assert resp.status_code < 500
    assert resp.status_code in (400, 403, 405, 413, 422)
    assert _inbound(session_factory) == 0


def test_huge_deep_and_entity_bodies(
    client: TestClient, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    q = _signed_query(settings)
    big = b"<xml><Encrypt>" + b"A" * (settings.max_body_bytes + 10) + b"</Encrypt></xml>"
    cases: list[bytes] = [
        big,
        b"<a>" * 20000 + b"</a>" * 20000,
        b"<xml>" + b"<a>" * 9000 + b"</a>" * 9000 + b"</xml>",
        LAUGHS.encode(),
        XXE.encode(),
        b"<xml><Encrypt><![CDATA[" + b"\xff\xfe" * 100 + b"]]></Encrypt></xml>",
        b"\xef\xbb\xbf<xml>\x00</xml>",
    ]
    for body in cases:
        assert client.post(URL, params=q, content=body).status_code in (400, 403, 413)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(200):
            yield b"x" * 1024  # no Content-Length: the limit applies while streaming

    assert client.post(URL, params=q, content=chunks()).status_code == 413
    assert _inbound(session_factory) == 0


def test_signed_but_malicious_inner_xml(
    client: TestClient, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    """A correctly signed body (a leaked key) still cannot smuggle entities or depth."""
    user = WeComUser(client, settings)
    inner_cases = [
        LAUGHS.replace("<Encrypt>", "<Content>").replace("</Encrypt>", "</Content>"),
        XXE.replace("Encrypt", "Content"),
        "<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>",
        "<notxml/>",
        "<xml><MsgType>text</MsgType></xml>",
    ]
    for inner in inner_cases:
        ts, nonce = str(int(time.time())), secrets.token_hex(4)
        body, sig = user.crypto.encrypt_body(inner, nonce, ts)
        resp = client.post(
            URL, params={"msg_signature": sig, "timestamp": ts, "nonce": nonce}, content=body
        )
        assert resp.status_code in (200, 400, 403), inner[:40]
    assert _inbound(session_factory) == 0
    _assert_no_domain_writes(session_factory)


xml_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@FUZZ
@given(data=st.data())
def test_random_utf8_in_every_command_and_field(
    client: TestClient,
    settings: Settings,
    services: Services,
    session_factory: sessionmaker[Session],
    data: Any,
) -> None:
    words = sorted(
        {w for c in services.router.visible_commands() for w in (c.name, *c.aliases) if w.strip()}
    )
    prefix = data.draw(st.sampled_from(words or ["帮助"]) | st.just(""))
    fields: dict[str, Any] = {
        "FromUserName": data.draw(xml_text.filter(bool) | st.sampled_from(["u1", "x" * 300])),
        "CreateTime": data.draw(st.integers(0, 2**63) | st.text(max_size=20)),
        "MsgType": data.draw(
            st.sampled_from(["text", "event", "file", "image", "link", "weird"]) | xml_text
        ),
        "Content": prefix + data.draw(xml_text),
        "MsgId": data.draw(st.integers(0, 2**64).map(str) | xml_text | st.just("9" * 400)),
        "AgentID": data.draw(st.integers(-(2**63), 2**63) | xml_text),
        "Event": data.draw(
            st.sampled_from(["template_card_event", "enter_agent", "click"]) | xml_text
        ),
        "EventKey": data.draw(xml_text),
        "FileName": data.draw(xml_text),
        "MediaId": data.draw(xml_text),
    }
    user = WeComUser(client, settings)
    ts, nonce = str(int(time.time())), secrets.token_hex(4)
    body, sig = user.crypto.encrypt_body(message_xml(fields, settings.corp_id), nonce, ts)
    resp = client.post(
        URL, params={"msg_signature": sig, "timestamp": ts, "nonce": nonce}, content=body
    )
    assert resp.status_code in (200, 400, 403, 413)
    _assert_no_domain_writes(session_factory)


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="needs /proc")
def test_memory_stays_flat_under_garbage(client: TestClient, settings: Settings) -> None:
    rng = random.Random(7)
    q = _signed_query(settings)
    payloads = [
        lambda: rng.randbytes(rng.randint(0, 8192)),
        lambda: b"<xml>" + b"<a>" * 3000 + b"</a>" * 3000 + b"</xml>",
        lambda: LAUGHS.encode(),
        lambda: b"A" * (settings.max_body_bytes + 1),
    ]

    def burst(n: int) -> None:
        for _ in range(n):
            assert client.post(URL, params=q, content=rng.choice(payloads)()).status_code < 500

    burst(80)
    before = _rss_kib()
    burst(200)
    assert _rss_kib() - before < 16 * 1024, "RSS grew by more than 16 MiB over 200 hostile requests"


# Field names the ledger, binding, complaint and quarterly commands read, and values that are
# almost right: hostile input that gets past the first checks.
FIELD_NAMES = [
    "项目", "日期", "日薪", "人员", "天数", "期间", "方式", "凭证", "金额", "姓名", "身份证",
    "手机", "村", "主题", "学时", "岗位", "季度", "进度", "问题", "记录号", "原因", "处理",
]  # fmt: skip
NEAR_VALUES = st.sampled_from(
    [
        "NT-DEMO-001", "ZT-DEMO-002", "nt-demo-001", "2026-11-02", "2026-02-30", "昨天", "0",
        "-1", "1e9", "99999999999", "1,500.50元", "1,50", "0.5天", "NaN", "∞", "２０２６年１月",
        "142329198503121233", "14232919850312123X", "13800138000", "2026Q3", "2030Q1", "100%",
        "银行代发", "现金", "W-000001", "P-000001", "😀", "\u202e", "a" * 3000,
    ]
) | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40)  # fmt: skip
# (control characters cannot travel in WeCom's XML at all; the fuzz above covers them)
USERS = ["demo-admin", "demo-liaison", "demo-worker", "demo-worker-late", "stranger"]


@pytest.fixture
def demo(services: Services) -> Services:
    from handlers.demo import load_demo

    with services.session_factory() as session, session.begin():
        load_demo(session, services.settings)
    return services


@FUZZ
@given(data=st.data())
def test_no_command_crashes_on_near_valid_input_from_any_role(
    client: TestClient, settings: Settings, demo: Services, data: Any
) -> None:
    from bot.dispatcher import INTERNAL_ERROR_REPLY

    words = sorted({w for c in demo.router.commands for w in (c.name, *c.aliases) if w.strip()})
    command = data.draw(st.sampled_from(words))
    fields = data.draw(st.lists(st.tuples(st.sampled_from(FIELD_NAMES), NEAR_VALUES), max_size=6))
    lines = data.draw(
        st.lists(
            st.tuples(st.sampled_from(["张三", "李四", "王五", "赵六", "无此人"]), NEAR_VALUES),
            max_size=4,
        )
    )
    sep = data.draw(st.sampled_from([" ", "：", ":", "=", "\n"]))
    head = " ".join(f"{k}{sep}{v}" for k, v in fields)
    body = "\n".join(f"{name} {value}" for name, value in lines)
    user = data.draw(st.sampled_from(USERS))
    reply = WeComUser(client, settings).text(user, f"{command} {head}\n{body}".strip())
    assert reply.status == 200
    assert reply.text != INTERNAL_ERROR_REPLY, (user, command, head, body)
