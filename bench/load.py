"""Load (and chaos) benchmark: 2 replicas of the real server on PostgreSQL, encrypted callbacks.

    .venv/bin/python bench/load.py --seconds 60            # figures for SPEC §8
    .venv/bin/python bench/load.py --chaos --seconds 20    # kill DB connections mid-run
    .venv/bin/python bench/load.py --redis redis://127.0.0.1:6379/14   # replicas share Redis
    .venv/bin/python bench/load.py --rate 100              # open loop: 100 callbacks a second

Creates a fresh database (default `yigong_load`), migrates and seeds it, starts two `yigong serve`
processes in sandbox mode, fires a mix of policy questions, 查工资 and 记工 batches from
`--clients` concurrent clients, and afterwards proves in the database that every write happened
exactly once. Like WeCom, a client re-sends a failed callback (non-200 or 5 s timeout), three
tries in all.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import itertools
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from bot.wecom_crypto import CallbackCrypto, safe_parse_xml  # noqa: E402
from tests.builders import message_xml  # noqa: E402

PROJECTS, WORKERS_PER_PROJECT, GROUP = 4, 250, 5
OUT = ROOT / "bench" / "out"


@dataclass
class Sent:
    """One logical callback (a MsgId) and what became of it."""

    msg_id: str
    kind: str  # ask | wages | work
    user: str
    content: str
    tries: int = 0
    status: int | None = None
    reply: str = ""
    latencies: list[float] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    path: str = ""  # the callback's path and query string
    body: bytes = b""
    raw_reply: bytes = b""

    @property
    def key(self) -> str:
        """Its idempotency key in `inbound_messages` (`Incoming.dedup_key`: MsgId and sender)."""
        return f"msg:{self.msg_id}:{self.user}"


# -- set-up ----------------------------------------------------------------------------------


def create_database(admin_url: str, name: str) -> str:
    from models.session import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def seed(url: str, settings: Settings) -> dict[str, list]:  # type: ignore[type-arg]
    """A county with PROJECTS projects, one liaison each, bound workers; returns who is who."""
    import models
    from handlers.demo import valid_id
    from handlers.ledger.people import WorkerInput, register_workers
    from models import Contact, Project, ProjectLiaison, Region, Role
    from models.migrate import upgrade
    from models.session import make_engine, make_sessionmaker

    upgrade(url)
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)  # tables newer than the migration (until regenerated)
    today = date.today()  # noqa: DTZ011 - the server's clock is local too
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文"
    names = (s + a + b for s, a, b in itertools.product(surnames, given, given))
    liaisons, workers, groups = [], [], []
    with make_sessionmaker(engine)() as session, session.begin():
        region = Region(province="山西省", city="忻州市", county="五台县")
        session.add(region)
        session.flush()
        for p in range(PROJECTS):
            project = Project(
                code=f"NT-LOAD-{p + 1:03d}", name=f"压测项目{p + 1}", category="农推",
                list_level="县", region_id=region.id, fiscal_funds_fen=1_000_000_00,
                start_date=today - timedelta(days=400), pay_day=15,
            )  # fmt: skip
            session.add(project)
            session.flush()
            contact = Contact(userid=f"load-liaison-{p}", name=f"联络{p}", role=Role.LIAISON,
                              region_id=region.id)  # fmt: skip
            session.add(contact)
            session.flush()
            session.add(ProjectLiaison(project_id=project.id, contact_id=contact.id))
            inputs = []
            for w in range(WORKERS_PER_PROJECT):
                n = p * WORKERS_PER_PROJECT + w
                userid = f"load-worker-{n}"
                ident = valid_id("142329", date(1970, 1, 1) + timedelta(days=n * 7), n % 1000)
                inputs.append(WorkerInput("", project, next(names), ident))
                workers.append(userid)
            results, problems = register_workers(session, settings, inputs, "bench", "cli")
            assert not problems, problems[:3]
            # Bound afterwards: register_workers' wecom_userid path trips on dict(Result).
            base = len(workers) - len(inputs)
            for k, result in enumerate(results):
                result.worker.wecom_userid = workers[base + k]
            liaisons.append((contact.userid, project.code))
            groups.append([x.name for x in inputs])
    engine.dispose()
    return {"liaisons": liaisons, "workers": workers, "names": groups}


def start_replicas(
    url: str, ports: list[int], log_dir: Path, concurrency: int | None, redis_url: str | None
) -> list[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "YIGONG_", "REDIS"))}
    env.update(DATABASE_URL=url, YIGONG_OUTBOX_INTERVAL="1", PYTHONPATH=str(ROOT))
    if concurrency:
        env["YIGONG_CONCURRENCY"] = str(concurrency)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # a clean slate: no replies cached from before
        env["REDIS_URL"] = redis_url
    procs = []
    for port in ports:
        log = (log_dir / f"replica-{port}.log").open("wb")
        cmd = [str(Path(sys.executable).parent / "yigong"), "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
        procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"replica on port {port} did not start; see {log_dir}")
            time.sleep(0.2)
    return procs


def cpu_split(replicas: list[int]) -> dict[str, float]:
    """CPU seconds so far of the replicas, of every PostgreSQL server process on this machine,
    and of this process (Linux /proc; zeros elsewhere): where a run's cores went."""
    from bench.callback import cpu_seconds

    postgres = 0.0
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    postgres += cpu_seconds(int(entry.name))
            except OSError:
                continue
    own = os.times()
    return {
        "replicas": sum(cpu_seconds(pid) for pid in replicas),
        "postgres": postgres,
        "clients": own.user + own.system,
    }


def stop_replicas(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)  # graceful: in-flight callbacks finish
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


# -- traffic ---------------------------------------------------------------------------------


class Traffic:
    """Builds the next message: questions, 查工资 and unique 记工 batches, in equal parts."""

    def __init__(self, people: dict[str, list], questions: list[str]) -> None:  # type: ignore[type-arg]
        self.people = people
        self.questions = questions
        self.counter = itertools.count()
        self.batches = itertools.count()
        self.ids = itertools.count(int(time.time() * 1000) * 1000)
        self.lock = threading.Lock()
        self.groups = WORKERS_PER_PROJECT // GROUP
        self.ready: list[Sent] = []
        self.crypto: CallbackCrypto | None = None
        self.corp = ""

    def prepare(self, count: int, crypto: CallbackCrypto, corp: str) -> None:
        """Build and encrypt `count` messages ahead, as WeCom's own servers would have done."""
        self.ready = [seal(self.build(), crypto, corp) for _ in range(count)]
        self.ready.reverse()
        self.crypto, self.corp = crypto, corp

    def next(self) -> Sent:
        """The next prepared message (or a freshly built one when they run out)."""
        with self.lock:
            if self.ready:
                return self.ready.pop()
        assert self.crypto is not None, "prepare() first"
        return seal(self.build(), self.crypto, self.corp)

    def build(self) -> Sent:
        with self.lock:
            n, msg_id = next(self.counter), str(next(self.ids))
            kind = ("ask", "wages", "work")[n % 3]
            if kind == "ask":
                user = self.people["workers"][n % len(self.people["workers"])]
                return Sent(msg_id, kind, user, self.questions[n % len(self.questions)])
            if kind == "wages":
                user = self.people["workers"][(n // 3) % len(self.people["workers"])]
                return Sent(msg_id, kind, user, "查工资")
            b = next(self.batches)
            p = b % PROJECTS
            day, group = divmod(b // PROJECTS, self.groups)
        liaison, code = self.people["liaisons"][p]
        names = self.people["names"][p][group * GROUP : (group + 1) * GROUP]
        when = date.today() - timedelta(days=2 + day)  # noqa: DTZ011
        body = "\n".join(f"{name} 1天" for name in names)
        content = f"记工 项目：{code} 日期：{when:%Y-%m-%d} 日薪：150\n{body}"
        return Sent(msg_id, kind, liaison, content)


def seal(s: Sent, crypto: CallbackCrypto, corp: str) -> Sent:
    """Encrypt and sign the callback body of one message."""
    fields = {"FromUserName": s.user, "CreateTime": int(time.time()), "MsgType": "text",
              "Content": s.content, "MsgId": s.msg_id, "AgentID": 1000001}  # fmt: skip
    ts, nonce = str(int(time.time())), secrets.token_hex(6)
    body, sig = crypto.encrypt_body(message_xml(fields, corp), nonce, ts)
    s.params, s.body = {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body.encode()
    s.path = "/wecom/callback?" + urlencode(s.params)
    return s


class Poster:
    """One client's keep-alive HTTP connections, one per replica, on the standard library.

    The load generator shares the machine's cores with what it measures: httpx spent ~0.8 ms
    of CPU per request here, taken from the replicas and PostgreSQL; http.client spends a
    fraction of that. (Like WeCom's servers, nothing but a POST and its answer.)"""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def post(self, port: int, path: str, body: bytes) -> tuple[int, bytes]:
        conn = self.conns.get(port)
        if conn is None:
            conn = self.conns[port] = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=self.timeout
            )
        try:
            conn.request("POST", path, body, {"Content-Type": "text/xml"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()  # a new connection next time, as a client would open
            del self.conns[port]
            raise

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def post_once(poster: Poster, port: int, s: Sent, since: float | None = None) -> None:
    """One delivery; the reply is kept raw and decrypted after the run (off the clock).
    Its latency counts from `since` (when it was due) if given."""
    s.tries += 1
    t0 = time.perf_counter() if since is None else min(since, time.perf_counter())
    try:
        status, content = poster.post(port, s.path, s.body)
    except (OSError, http.client.HTTPException):
        s.latencies.append(time.perf_counter() - t0)
        s.status = 0
        return
    s.latencies.append(time.perf_counter() - t0)
    s.status = status
    s.raw_reply = content if status == 200 else b""


def open_reply(s: Sent, crypto: CallbackCrypto) -> None:
    if s.raw_reply:
        inner = crypto.decrypt_reply(s.raw_reply)
        s.reply = str(safe_parse_xml(inner).get("Content", ""))


class Pacer:
    """Open-loop arrivals: the n-th callback is due at start + n/rate, whoever sends it.

    Latency is counted from the due time, so a callback that waited for a free client counts
    its wait too (no coordinated omission). Without a rate the clients send back to back.
    """

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.count = itertools.count()
        self.start = time.perf_counter()

    def due(self) -> float:
        now = time.perf_counter()
        if not self.rate:
            return now
        at = self.start + next(self.count) / self.rate
        if at > now:
            time.sleep(at - now)
        return at


def client_loop(i: int, poster: Poster, ports: list[int], stop: threading.Event,
                traffic: Traffic, done: list[Sent], retry_pause: float, pacer: Pacer) -> None:  # fmt: skip
    turn = itertools.count(i)  # round robin over the replicas, as nginx's default upstream does
    try:
        while not stop.is_set():
            due = pacer.due()
            if stop.is_set():
                break
            s = traffic.next()
            for attempt in range(3):  # WeCom: three tries in all
                post_once(
                    poster, ports[next(turn) % len(ports)], s, since=due if attempt == 0 else None
                )
                if s.status == 200:
                    break
                time.sleep(retry_pause)
            done.append(s)
    finally:
        poster.close()


def killer(url: str, stop: threading.Event, every: float, log: list[str]) -> None:
    """Chaos: terminate every server connection to the database, again and again."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    name = make_url(url).database
    engine = create_engine(url, poolclass=NullPool)
    while not stop.wait(every):
        with engine.connect() as conn:
            killed = conn.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name}
            ).scalar_one()  # fmt: skip
            conn.commit()
        log.append(f"{time.strftime('%H:%M:%S')} killed {killed} connections")
    engine.dispose()


# -- verification ----------------------------------------------------------------------------


def verify(url: str, done: list[Sent], redis_url: str | None = None) -> list[str]:
    """Exactly once, from the database: message rows, work records, query counters."""
    from models import InboundMessage, RateCounter, WorkRecord
    from models.session import make_engine, make_sessionmaker

    problems: list[str] = []
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        keys = set(session.scalars(select(InboundMessage.key)))
        replies = dict(session.execute(select(InboundMessage.key, InboundMessage.reply_text)).all())
        answered = [s for s in done if s.status == 200]
        missing = [s for s in answered if s.key not in keys]
        if missing:
            problems.append(f"{len(missing)} answered callbacks have no stored message")
        processed = [s for s in done if s.key in keys]
        mismatched = [s for s in answered if s.reply and replies.get(s.key, "")
                      and not replies[s.key].startswith(s.reply[:50])]  # fmt: skip
        if mismatched:
            problems.append(f"{len(mismatched)} replies differ from the stored ones")
        work_ok = [s for s in processed if s.kind == "work" and replies[s.key].startswith("已记工")]
        work_bad = [s for s in processed if s.kind == "work" and s not in work_ok]
        records = session.scalar(select(func.count()).select_from(WorkRecord)) or 0
        if records != GROUP * len(work_ok):
            problems.append(f"work records {records} != {GROUP} × {len(work_ok)} batches")
        doubled = session.scalar(
            select(func.count()).select_from(
                select(WorkRecord.worker_id, WorkRecord.work_date)
                .group_by(WorkRecord.worker_id, WorkRecord.work_date)
                .having(func.count() > 1)
                .subquery()
            )
        )
        if doubled:
            problems.append(f"{doubled} (worker, date) pairs recorded twice")
        if work_bad:
            problems.append(f"{len(work_bad)} 记工 refused, e.g. {replies[work_bad[0].key][:80]!r}")
        queries = session.scalar(
            select(func.coalesce(func.sum(RateCounter.count), 0)).where(
                RateCounter.key.like("query:%")
            )
        )
        if redis_url:  # the replicas counted in Redis (and in the database only if it failed)
            import redis

            from bot.redis_support import PREFIX

            client = redis.Redis.from_url(redis_url)
            names = list(client.scan_iter(f"{PREFIX}rate:query:*", count=1000))
            queries = (
                (queries or 0) + sum(int(v) for v in client.mget(names) if v) if names else queries
            )
        wages = sum(1 for s in processed if s.kind == "wages")
        if queries != wages:
            problems.append(f"查工资 counted {queries} times for {wages} processed messages")
    engine.dispose()
    return problems


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--chaos", action="store_true", help="kill the servers' DB connections mid-run")
    ap.add_argument("--kill-every", type=float, default=4.0)
    ap.add_argument("--admin-url", default=os.environ.get(
        "YIGONG_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    ap.add_argument("--database", default="yigong_load")
    ap.add_argument("--ports", default="18081,18082")
    ap.add_argument("--rate", type=float,
                    help="callbacks per second, open loop (default: each client back to back)")  # fmt: skip
    ap.add_argument("--concurrency", type=int, help="YIGONG_CONCURRENCY of each replica")
    ap.add_argument("--redis", metavar="URL", help="REDIS_URL of the replicas (its db is flushed)")
    ap.add_argument("--prepare-rate", type=float, default=600,
                    help="callbacks per second of the run to encrypt ahead")  # fmt: skip
    args = ap.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    url = create_database(args.admin_url, args.database)
    t0 = time.perf_counter()
    people = seed(url, settings)
    print(
        f"seeded {len(people['workers'])} workers in {PROJECTS} projects ({time.perf_counter() - t0:.1f} s)"
    )
    from handlers.wage_intent import own_pay_intent

    # Policy questions only: a worker's "我的工钱发了没" is a 查工资 (and counted as one).
    questions = [q for line in (ROOT / "tests/data/policy_questions.tsv").read_text("utf-8")
                 .splitlines() if line and not line.startswith("#")
                 for q in [line.split("\t")[0]] if own_pay_intent(q) is None]  # fmt: skip
    ports = [int(p) for p in args.ports.split(",")]
    procs = start_replicas(url, ports, OUT, args.concurrency, args.redis)
    traffic = Traffic(people, questions)
    crypto = CallbackCrypto(settings)
    t0 = time.perf_counter()
    traffic.prepare(int(args.seconds * args.prepare_rate), crypto, settings.corp_id)
    print(f"prepared {len(traffic.ready)} encrypted callbacks ({time.perf_counter() - t0:.1f} s)")
    done: list[Sent] = []
    stop = threading.Event()
    chaos_log: list[str] = []
    pacer = Pacer(args.rate)
    clients = [Poster(timeout=5.0) for _ in range(args.clients)]
    threads = [threading.Thread(target=client_loop, args=(i, clients[i], ports, stop, traffic,
                                                          done, 1.0 if args.chaos else 0.2, pacer))
               for i in range(args.clients)]  # fmt: skip
    if args.chaos:
        threads.append(
            threading.Thread(target=killer, args=(url, stop, args.kill_every, chaos_log))
        )
    try:
        gc.collect()
        gc.freeze()  # the prepared callbacks stay out of the load generator's own collections
        cpu0 = cpu_split([p.pid for p in procs])
        start = pacer.start = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        cpu = {k: v - cpu0[k] for k, v in cpu_split([p.pid for p in procs]).items()}
    finally:
        stop_replicas(procs)

    for s in done:
        open_reply(s, crypto)
    first = [s.latencies[0] for s in done if s.latencies]
    ok_first = [s.latencies[0] for s in done if s.tries == 1 and s.status == 200]
    statuses = Counter(s.status for s in done)
    retried = sum(1 for s in done if s.tries > 1)
    failed = [s for s in done if s.status != 200]
    kinds = Counter(s.kind for s in done)
    print(f"mode: {'chaos' if args.chaos else 'load'}, {args.clients} clients"
          f"{f' at {args.rate:g}/s' if args.rate else ''}, 2 replicas, "
          f"{elapsed:.1f} s, PostgreSQL{' + Redis' if args.redis else ''}")  # fmt: skip
    print(f"callbacks: {len(done)} ({dict(kinds)}), throughput {len(done) / elapsed:.1f}/s")
    print(f"latency (first try): p50 {pct(first, 0.5) * 1000:.1f} ms, p99 {pct(first, 0.99) * 1000:.1f} ms, "
          f"max {max(first, default=0) * 1000:.1f} ms; successful only p99 {pct(ok_first, 0.99) * 1000:.1f} ms")  # fmt: skip
    if first:
        print(f"mean {statistics.mean(first) * 1000:.1f} ms")
    if done and any(cpu.values()):
        per = {k: v / len(done) * 1000 for k, v in cpu.items()}
        print(f"CPU per callback: replicas {per['replicas']:.2f} ms, PostgreSQL {per['postgres']:.2f} ms, "
              f"this load generator {per['clients']:.2f} ms ({os.cpu_count()} CPUs)")  # fmt: skip
    for kind in sorted(kinds):
        lat = [s.latencies[0] for s in done if s.kind == kind and s.latencies]
        print(f"  {kind}: p50 {pct(lat, 0.5) * 1000:.1f} ms, p99 {pct(lat, 0.99) * 1000:.1f} ms")
    print(f"final status: {dict(statuses)}; retried {retried}; errors after 3 tries: {len(failed)}")
    for line in chaos_log:
        print("chaos:", line)
    problems = verify(url, done, args.redis)
    print("exactly once:", "OK" if not problems else "FAILED")
    for p in problems:
        print("  -", p)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
