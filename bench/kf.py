"""微信客服 benchmark: 1,000 customer messages announced by callbacks, answered through the fake API.

    .venv/bin/python bench/kf.py [--messages 1000] [--customers 250] [--per-callback 20]

The real path, in one process on SQLite: encrypted `kf_msg_or_event` callbacks to the app
(FastAPI test client), a background thread doing what `yigong serve` does (pull kf/sync_msg
pages, drain the outbox through the kf sender), and the local fake WeCom API (tests/fake_kf.py)
playing WeChat. Each customer sends at most 5 messages, so every answer fits WeCom's budget.
Prints messages per second (first callback → last answer), the worst and median time from
the announcing callback to the answer, and proves every message was answered exactly once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

import models  # noqa: E402
from bot.app import create_app, warm_up  # noqa: E402
from bot.kf import sync_pending  # noqa: E402
from bot.kf_api import KfApi  # noqa: E402
from bot.kf_sender import KfSender  # noqa: E402
from bot.outbox import drain  # noqa: E402
from bot.sender import WeComSender  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wecom_api import WeComClient  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from models.session import make_engine  # noqa: E402
from tests.builders import WeComUser  # noqa: E402
from tests.conftest import TEST_AES_KEY  # noqa: E402
from tests.fake_wecom import FakeWeCom, offline_http  # noqa: E402

QUESTIONS = [
    "帮助",
    "农推项目劳务报酬比例有什么要求？",
    "我的工资几号发？",
    "查工资",
    "公益性岗位有哪些",
    "以工代赈项目工资多久发一次？",
]


class RemoteFake:
    """The fake WeCom API in its own process, as WeCom is on its own servers: its CPU is not
    the bot's. Commands go over a pipe."""

    def __init__(self) -> None:
        parent, child = multiprocessing.Pipe()
        self.conn = parent
        self.proc = multiprocessing.Process(target=_serve_fake, args=(child,), daemon=True)
        self.proc.start()
        self.base_url, self.open_kfid = self.conn.recv()

    def call(self, name: str, *args: object) -> object:
        self.conn.send((name, args))
        return self.conn.recv()

    def settings(self, **overrides: object) -> Any:
        values = {
            "wecom_corp_id": FakeWeCom.corp_id,
            "wecom_agent_id": FakeWeCom.agent_id,
            "wecom_secret": FakeWeCom.secret,
            "wecom_token": "fakeToken",
            "wecom_aes_key": "a" * 43,
            "wecom_api_base": self.base_url,
            "data_key": "fake-data-key-for-tests-0123456789abcdef",
            "http_timeout": 10.0,
            "database_url": "sqlite://",
        }
        values.update(overrides)
        return Settings(**values)

    def stop(self) -> None:
        self.call("stop")
        self.proc.join(timeout=5)


def _serve_fake(conn: Any) -> None:
    fake = FakeWeCom().start()
    conn.send((fake.base_url, fake.kf.open_kfid))
    while True:
        name, args = conn.recv()
        if name == "stop":
            fake.stop()
            conn.send(None)
            return
        if name == "says":
            conn.send([fake.kf.customer_says(ext, text) for ext, text in args[0]])
        elif name == "announce":
            conn.send(fake.kf.announce())
        elif name == "sent":
            conn.send(
                [(str(b.get("msgid")), fake.kf.sent_at[str(b.get("msgid"))]) for b in fake.kf.sent]
            )
        elif name == "counts":
            conn.send(
                (
                    len(fake.kf.sent),
                    len(fake.kf.refused),
                    fake.calls.count("kf/sync_msg"),
                    fake.calls.count("kf/service_state/get"),
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=250)
    parser.add_argument("--per-callback", type=int, default=20)
    args = parser.parse_args()
    if args.messages > args.customers * 5:
        parser.error("at most 5 messages per customer (WeCom's budget)")

    fake = RemoteFake()
    tmp = tempfile.mkdtemp(prefix="yigong-kf-bench-")
    url = f"sqlite:///{tmp}/kf.db"
    settings = fake.settings(
        database_url=url, wecom_token="benchToken", wecom_aes_key=TEST_AES_KEY,
        scheduler_enabled=False,
    )  # fmt: skip
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    services = build_services(settings, engine=engine)
    client = WeComClient(fake.settings(), http=offline_http(timeout=10))
    api = KfApi(client)
    sender = WeComSender(client, kf=KfSender(api, services.session_factory))

    announced: dict[str, float] = {}
    done = threading.Event()

    spent = {"pull": 0.0, "send": 0.0, "cpu": 0.0}

    def background() -> None:  # what yigong serve's kf tick and outbox drainer do
        cpu = time.thread_time()
        while not done.is_set():
            a = time.perf_counter()
            pulled = sync_pending(services, api)
            b = time.perf_counter()
            sent = drain(services.session_factory, sender, limit=200)
            spent["pull"] += b - a
            spent["send"] += time.perf_counter() - b
            spent["cpu"] = time.thread_time() - cpu
            if pulled.pages == 0 and sent.claimed == 0:
                time.sleep(0.005)

    warm_up(services)  # as `yigong serve` does before its first callback (policy index, gc)
    worker = threading.Thread(target=background, daemon=True)
    with TestClient(create_app(settings, services=services, background=False)) as http:
        wecom = WeComUser(http, settings)
        worker.start()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        for start in range(0, args.messages, args.per_callback):
            batch = []
            for i in range(start, min(start + args.per_callback, args.messages)):
                batch.append((f"wmbench{i % args.customers:05d}", QUESTIONS[i % len(QUESTIONS)]))
            batch = fake.call("says", batch)  # type: ignore[assignment]
            token = fake.call("announce")
            r = wecom.post(
                {
                    "CreateTime": int(time.time()),
                    "MsgType": "event",
                    "Event": "kf_msg_or_event",
                    "Token": token,
                    "OpenKfId": fake.open_kfid,
                }
            )
            assert r.status == 200, r.status
            now = time.time()
            announced.update(dict.fromkeys(batch, now))
        deadline = time.time() + 300
        while fake.call("counts")[0] < args.messages and time.time() < deadline:  # type: ignore[index]
            time.sleep(0.02)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        done.set()
        worker.join(timeout=30)

    with services.session_factory() as s:
        rows = s.execute(
            select(models.OutboxMessage.id, models.OutboxMessage.payload).where(
                models.OutboxMessage.rule == "kf-reply"
            )
        ).all()
    reply_to = {f"yg{oid}p0": str(p.get("reply_to")) for oid, p in rows}
    sent_list: list[tuple[str, float]] = fake.call("sent")  # type: ignore[assignment]
    answered = [reply_to.get(msgid) for msgid, _ in sent_list]
    latencies = sorted(
        at - announced[m] for (_, at), m in zip(sent_list, answered, strict=True) if m in announced
    )
    n_sent, n_refused, n_sync, n_state = fake.call("counts")  # type: ignore[misc]
    once = len(answered) == len(set(answered)) == args.messages and set(answered) == set(announced)
    print(f"messages            {args.messages} from {args.customers} customers, "
          f"{args.per_callback} per callback")  # fmt: skip
    print(f"answered            {n_sent} (exactly once each: {once}); "
          f"refused by WeCom {n_refused}")  # fmt: skip
    print(f"throughput          {args.messages / elapsed:.0f} messages/s ({elapsed:.2f} s)")
    if latencies:
        print(f"callback → answer   median {statistics.median(latencies) * 1000:.0f} ms, "
              f"worst {latencies[-1] * 1000:.0f} ms")  # fmt: skip
    print(f"sync_msg calls      {n_sync}, service_state/get {n_state}")
    print(f"background time     pull {spent['pull']:.2f} s, send {spent['send']:.2f} s")
    load = os.getloadavg()[0]
    print(f"bot CPU             {cpu / args.messages * 1000:.1f} ms per message in the bot's process "
          f"(pull + send thread alone {spent['cpu'] / args.messages * 1000:.1f} ms): "
          f"{args.messages / cpu:.0f} messages per CPU-second")  # fmt: skip
    print(f"machine             load average {load:.1f} on {os.cpu_count()} cores")
    client.close()
    services.close()
    fake.stop()
    if not once:
        sys.exit(1)


if __name__ == "__main__":
    main()
