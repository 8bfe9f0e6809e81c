"""The WeCom client against the fake: tokens shared and refreshed once, errors classified."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.tokens import DbTokenStore, MemoryTokenStore, TokenStore
from bot.wecom_api import ErrorKind, WeComClient, WeComError, robot_key
from tests.fake_wecom import FakeWeCom, offline_http

MakeClient = Callable[..., WeComClient]


@pytest.fixture
def make_client(fake_wecom: FakeWeCom) -> Iterator[MakeClient]:
    clients: list[WeComClient] = []

    def make(store: TokenStore | None = None, **overrides: object) -> WeComClient:
        client = WeComClient(fake_wecom.settings(**overrides), store, http=offline_http())
        clients.append(client)
        return client

    yield make
    for client in clients:
        client._http.close()


def test_token_is_cached_in_memory(fake_wecom: FakeWeCom, make_client: MakeClient) -> None:
    client = make_client()
    assert client.get_token() == client.get_token()
    assert fake_wecom.token_calls == 1


def test_token_shared_through_the_database(
    fake_wecom: FakeWeCom, make_client: MakeClient, db_factory: sessionmaker[Session]
) -> None:
    first = make_client(DbTokenStore(db_factory))
    second = make_client(DbTokenStore(db_factory))  # another process, same database
    assert first.get_token() == second.get_token()
    assert fake_wecom.token_calls == 1


def test_expired_token_is_refreshed_once_and_the_message_delivered(
    fake_wecom: FakeWeCom, make_client: MakeClient, db_factory: sessionmaker[Session]
) -> None:
    client = make_client(DbTokenStore(db_factory))
    client.send_app_message("zhangsan", "text", {"content": "一"})
    fake_wecom.expire_tokens()
    client.send_app_message("zhangsan", "text", {"content": "二"})
    assert fake_wecom.texts() == ["一", "二"]
    assert fake_wecom.token_calls == 2


def test_persistent_token_error_is_retried_only_once(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    client = make_client()
    fake_wecom.fail_next("message/send", 40014, times=5)
    with pytest.raises(WeComError) as info:
        client.send_app_message("zhangsan", "text", {"content": "x"})
    assert info.value.kind is ErrorKind.TOKEN
    assert fake_wecom.calls.count("message/send") == 2
    assert fake_wecom.token_calls == 2


@pytest.mark.parametrize("separate_clients", [False, True])
def test_concurrent_get_token_calls_gettoken_once(
    fake_wecom: FakeWeCom,
    make_client: MakeClient,
    db_factory: sessionmaker[Session],
    separate_clients: bool,
) -> None:
    fake_wecom.delay_next("gettoken", 0.3)  # keep the first refresh in flight
    shared = make_client(DbTokenStore(db_factory))
    clients = [
        make_client(DbTokenStore(db_factory)) if separate_clients else shared for _ in range(8)
    ]
    barrier = threading.Barrier(len(clients))
    tokens: list[str] = []

    def run(client: WeComClient) -> None:
        barrier.wait()
        tokens.append(client.get_token())

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == 8 and len(set(tokens)) == 1
    assert fake_wecom.token_calls == 1


def test_token_refreshed_five_minutes_before_expiry(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    now = [datetime(2026, 11, 20, 1, 0, tzinfo=UTC)]
    store = MemoryTokenStore(clock=lambda: now[0])
    client = WeComClient(fake_wecom.settings(), store, http=offline_http(), clock=lambda: now[0])
    first = client.get_token()
    now[0] += timedelta(seconds=7200 - 301)
    assert client.get_token() == first
    now[0] += timedelta(seconds=2)
    assert client.get_token() != first
    assert fake_wecom.token_calls == 2


def test_bad_corp_id_is_a_configuration_error(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    client = make_client(wecom_corp_id="wwwrong")
    with pytest.raises(WeComError) as info:
        client.send_app_message("zhangsan", "text", {"content": "x"})
    assert info.value.errcode == 40013
    assert info.value.kind is ErrorKind.CONFIG
    assert "企业ID" in info.value.hint
    assert fake_wecom.token_calls == 1 and fake_wecom.messages == []


def test_bad_secret_is_a_configuration_error_not_a_token_retry(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    client = make_client(wecom_secret="wrong")
    with pytest.raises(WeComError) as info:
        client.get_token()
    assert info.value.errcode == 40001
    assert info.value.kind is ErrorKind.CONFIG
    assert "Secret" in info.value.hint
    assert fake_wecom.token_calls == 1


def test_untrusted_ip_is_not_retryable_and_says_how_to_fix(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    fake_wecom.fail_next("message/send", 60020, errmsg="not allow to access from your ip")
    with pytest.raises(WeComError) as info:
        make_client().send_app_message("zhangsan", "text", {"content": "x"})
    assert not info.value.retryable
    assert "企业可信IP" in info.value.describe()


def test_timeout_becomes_a_retryable_error(fake_wecom: FakeWeCom, make_client: MakeClient) -> None:
    client = make_client(http_timeout=0.2)
    client.get_token()
    fake_wecom.delay_next("message/send", 0.6)
    with pytest.raises(WeComError) as info:
        client.send_app_message("zhangsan", "text", {"content": "x"})
    assert info.value.errcode == -1 and info.value.kind is ErrorKind.RETRY


def test_upload_then_download_media(fake_wecom: FakeWeCom, make_client: MakeClient) -> None:
    client = make_client()
    media_id = client.upload_media("file", "工资表.xlsx", b"PK\x03\x04 fake xlsx")
    assert fake_wecom.uploads[0]["filename"] == "工资表.xlsx"
    assert client.download_media(media_id) == ("工资表.xlsx", b"PK\x03\x04 fake xlsx")


def test_download_unknown_media_raises_40007(
    fake_wecom: FakeWeCom, make_client: MakeClient
) -> None:
    fake_wecom.add_media("m1", "a.csv", b"a,b\n1,2\n")
    client = make_client()
    assert client.download_media("m1") == ("a.csv", b"a,b\n1,2\n")
    with pytest.raises(WeComError) as info:
        client.download_media("nope")
    assert info.value.errcode == 40007 and info.value.kind is ErrorKind.PERMANENT


def test_webhook_goes_to_the_api_base(fake_wecom: FakeWeCom, make_client: MakeClient) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-1"
    make_client().webhook_send(url, {"msgtype": "text", "text": {"content": "hi"}})
    assert fake_wecom.webhooks == [("robot-1", {"msgtype": "text", "text": {"content": "hi"}})]
    assert fake_wecom.token_calls == 0
    assert robot_key("robot-2") == "robot-2"


def test_unknown_recipient_is_81013(fake_wecom: FakeWeCom, make_client: MakeClient) -> None:
    fake_wecom.users = {"zhangsan"}
    with pytest.raises(WeComError) as info:
        make_client().send_app_message("lisi", "text", {"content": "x"})
    assert info.value.errcode == 81013
    assert "可见范围" in info.value.hint


def test_secrets_are_redacted_from_httpx_logs(
    fake_wecom: FakeWeCom, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="httpx")
    client = make_client()
    client.send_app_message("zhangsan", "text", {"content": "x"})
    assert "access_token=***" in caplog.text
    assert fake_wecom.secret not in caplog.text and "fake-token-" not in caplog.text
