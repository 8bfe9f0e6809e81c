"""A 微信客服 test world: encrypted kf_msg_or_event callbacks, the pull, the real senders."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.kf import SyncStats, sync_pending
from bot.kf_api import KfApi
from bot.kf_sender import KfSender
from bot.outbox import DrainStats, drain
from bot.sender import WeComSender
from bot.settings import Settings
from bot.wecom_api import WeComClient
from models import OutboxMessage
from models.base import utcnow
from tests.builders import CallbackReply, WeComUser
from tests.conftest import TEST_AES_KEY
from tests.fake_kf import FakeKf
from tests.fake_wecom import FakeWeCom, offline_http


@pytest.fixture(name="settings")
def kf_settings(db_url: str, fake_wecom: FakeWeCom) -> Settings:
    """The app pointed at the fake WeCom API (not sandbox mode)."""
    return fake_wecom.settings(
        database_url=db_url,
        wecom_token="testToken",
        wecom_aes_key=TEST_AES_KEY,
        scheduler_enabled=False,
    )


class KfWorld:
    """Plays the WeChat customers, WeCom's callbacks and the bot's background work."""

    def __init__(self, wecom: WeComUser, fake: FakeWeCom, services: Any) -> None:
        self.wecom = wecom
        self.fake = fake
        self.kf: FakeKf = fake.kf
        self.services = services
        self.client = WeComClient(fake.settings(), http=offline_http())
        self.api = KfApi(self.client)
        services.wecom = self.client  # jobs (邀请) call the API with it

    def callback(self, token: str | None = None) -> CallbackReply:
        """The encrypted kf_msg_or_event callback WeCom sends to the app."""
        return self.wecom.post(
            {
                "CreateTime": int(time.time()),
                "MsgType": "event",
                "Event": "kf_msg_or_event",
                "Token": token or self.kf.announce(),
                "OpenKfId": self.kf.open_kfid,
            }
        )

    def says(self, ext: str, text: str, **kw: Any) -> str:
        """A customer writes; WeCom announces it; the bot pulls and delivers."""
        msgid = self.kf.customer_says(ext, text, **kw)
        reply = self.callback()
        assert reply.status == 200 and reply.response.content == b""
        self.run()
        return msgid

    def pull(self, limit: int = 1000) -> SyncStats:
        return sync_pending(self.services, self.api, limit=limit)

    def deliver(self) -> DrainStats:
        sender = WeComSender(self.client, kf=KfSender(self.api, self.services.session_factory))
        total = DrainStats()
        for _ in range(20):
            stats = drain(self.services.session_factory, sender, now=utcnow())
            for name in ("claimed", "sent", "failed", "retried"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            if stats.claimed == 0:
                break
        return total

    def run(self, limit: int = 1000) -> SyncStats:
        from bot.jobs import run_pending

        stats = self.pull(limit)
        run_pending(self.services.session_factory, self.services)
        self.deliver()
        return stats

    def read(self, ext: str) -> list[str]:
        return self.kf.texts_to(ext)

    def failures(self) -> list[str]:
        with self.services.session_factory() as s:
            return list(
                s.scalars(
                    select(OutboxMessage.last_error)
                    .where(OutboxMessage.status == "failed")
                    .order_by(OutboxMessage.id)
                )
            )


@pytest.fixture(name="kf")
def kf_fixture(wecom: WeComUser, fake_wecom: FakeWeCom, services: Any) -> KfWorld:
    world = KfWorld(wecom, fake_wecom, services)
    yield world  # type: ignore[misc]
    world.client.close()
