"""The callback hot path against the crypto floor, side by side in one run.

    .venv/bin/python bench/callback.py                      # 8 clients, 15 s per server
    .venv/bin/python bench/callback.py --seconds 30 --rounds 6
    .venv/bin/python bench/callback.py --profile 2000       # cProfile of the bot, in-process

Two servers run at once on SQLite (a fresh file), each with uvicorn's defaults:

- `bare`: a FastAPI app that only does what no bot can skip: check the signature and
  decrypt the body with wechatpy, read the message, encrypt a fixed reply;
- `bot`: the real `yigong serve` (sandbox mode, background tasks running).

The same clients (threads, keep-alive) post distinct encrypted `帮助` callbacks from a user
the bot does not know, back to back, to one server and then the other, in `--rounds`
alternating rounds (so that both see the same background load of a shared machine), for
`--seconds` in all per server. Printed: throughput and p50/p99 latency of both, and the bot's
share of the bare app's throughput.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI, Request  # module level: the routes' annotations are resolved here
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from bot.wecom_crypto import CallbackCrypto  # noqa: E402
from tests.builders import message_xml  # noqa: E402

USER = "bench-stranger"  # no contact, no worker: a guest
TEXT = "帮助"
WARMUP = 1.0
SERVER_ENV: dict[str, str] = {}


def bare_app():  # type: ignore[no-untyped-def]
    """The floor: signature + decryption + parsing + encryption, nothing else."""
    from wechatpy.enterprise import parse_message
    from wechatpy.enterprise.crypto import WeChatCrypto

    settings = Settings()
    crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
    app = FastAPI()

    @app.post("/wecom/callback")
    async def callback(request: Request) -> Response:
        q = request.query_params
        inner = crypto.decrypt_message(
            await request.body(), q["msg_signature"], q["timestamp"], q["nonce"]
        )
        msg = parse_message(inner)
        reply = (
            f"<xml><ToUserName><![CDATA[{msg.source}]]></ToUserName>"
            f"<FromUserName><![CDATA[{settings.corp_id}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[以工代赈助手可以：……]]></Content></xml>"
        )
        body = crypto.encrypt_message(reply, q["nonce"], q["timestamp"])
        return Response(body, media_type="application/xml")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# -- servers ---------------------------------------------------------------------------------


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "YIGONG_", "REDIS"))}
    env.update(DATABASE_URL=f"sqlite:///{db}", PYTHONPATH=str(ROOT))
    # --server-env NAME=VALUE (e.g. YIGONG_CONCURRENCY=2) reaches both servers
    env.update(SERVER_ENV)
    return env


def start(kind: str, port: int, db: Path, log: Path) -> subprocess.Popen[bytes]:
    bin_dir = Path(sys.executable).parent
    if kind == "bot":
        cmd = [str(bin_dir / "yigong"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [
            sys.executable, "-m", "uvicorn", "bench.callback:bare_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=_env(db), cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{kind} server did not start; see {log}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# -- load ------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # the server process's CPU seconds (all threads) while measured

    @property
    def cpu_ms(self) -> float:
        """Server CPU per answered callback: robust to a busy machine, unlike req/s."""
        return self.cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Callbacks:
    """Distinct encrypted callbacks (fresh MsgIds), sealed ahead as WeCom would have done."""

    def __init__(self, crypto: CallbackCrypto, corp: str) -> None:
        self.crypto, self.corp = crypto, corp
        self.ids = itertools.count(int(time.time() * 1000) * 1000)
        self.lock = threading.Lock()
        self.ready: list[tuple[dict[str, str], bytes]] = []

    def seal(self) -> tuple[dict[str, str], bytes]:
        with self.lock:
            msg_id = str(next(self.ids))
        fields = {"FromUserName": USER, "CreateTime": int(time.time()), "MsgType": "text",
                  "Content": TEXT, "MsgId": msg_id, "AgentID": 1000001}  # fmt: skip
        ts, nonce = str(int(time.time())), secrets.token_hex(6)
        body, sig = self.crypto.encrypt_body(message_xml(fields, self.corp), nonce, ts)
        return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body.encode()

    def prepare(self, n: int) -> None:
        self.ready = [self.seal() for _ in range(n)]

    def next(self) -> tuple[dict[str, str], bytes]:
        with self.lock:
            if self.ready:
                return self.ready.pop()
        return self.seal()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(name: str, port: int, clients: int, seconds: float, calls: Callbacks, pid: int = 0) -> Run:
    run = Run(name)
    stop_at = threading.Event()
    measuring = threading.Event()
    lock = threading.Lock()
    url = f"http://127.0.0.1:{port}/wecom/callback"

    def client() -> None:
        with httpx.Client(timeout=10, trust_env=False) as http:
            while not stop_at.is_set():
                params, body = calls.next()
                t0 = time.perf_counter()
                try:
                    resp = http.post(url, params=params, content=body)
                    ok = resp.status_code == 200 and bool(resp.content)
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - t0
                if measuring.is_set() and not stop_at.is_set():
                    with lock:
                        if ok:
                            run.latencies.append(took)
                        else:
                            run.errors += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    time.sleep(WARMUP)
    measuring.set()
    t0, cpu0 = time.perf_counter(), cpu_seconds(pid)
    time.sleep(seconds)
    stop_at.set()
    run.seconds, run.cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    for t in threads:
        t.join(timeout=15)
    return run


def check_reply(port: int, calls: Callbacks, crypto: CallbackCrypto) -> str:
    """One callback answered and decrypted: the bot must really answer 帮助."""
    from bot.wecom_crypto import safe_parse_xml

    params, body = calls.seal()
    resp = httpx.post(f"http://127.0.0.1:{port}/wecom/callback", params=params, content=body)
    resp.raise_for_status()
    return str(safe_parse_xml(crypto.decrypt_reply(resp.content)).get("Content", ""))


# -- profile ---------------------------------------------------------------------------------


def profile(n: int, top: int) -> None:
    """cProfile of `n` callbacks through the whole ASGI app, in this process, one thread:
    the worker-thread hop is made inline so that the profiler sees the handling too."""
    import asyncio
    import cProfile
    import pstats

    from bot.app import create_app
    from bot.lanes import Lanes
    from bot.observability import configure_logging
    from models.migrate import upgrade

    async def inline(self, fn):  # type: ignore[no-untyped-def]
        return fn()

    tmp = Path(tempfile.mkdtemp(prefix="yigong-cb-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'p.db'}"
    for k in [k for k in os.environ if k.startswith(("WECOM_", "REDIS"))]:
        del os.environ[k]
    settings = Settings()
    upgrade(settings.database_url)
    configure_logging()
    Lanes.run = inline  # type: ignore[method-assign]
    app = create_app(settings, background=False, warm=True)
    crypto = CallbackCrypto(settings)
    calls = Callbacks(crypto, settings.corp_id)
    calls.prepare(n + n // 2 + 50)

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as http,
        ):
            for _ in range(50):
                params, body = calls.next()
                await http.post("/wecom/callback", params=params, content=body)
            t0 = time.perf_counter()
            for _ in range(n // 2):  # unprofiled first: the real cost of one callback
                params, body = calls.next()
                await http.post("/wecom/callback", params=params, content=body)
            plain = (time.perf_counter() - t0) / (n // 2)
            print(f"unprofiled: {plain * 1000:.2f} ms per callback (client included)")
            prof = cProfile.Profile()
            t0 = time.perf_counter()
            prof.enable()
            for _ in range(n):
                params, body = calls.next()
                resp = await http.post("/wecom/callback", params=params, content=body)
                assert resp.status_code == 200 and resp.content
            prof.disable()
            took = time.perf_counter() - t0
            print(f"{n} callbacks in-process, one at a time: {took / n * 1000:.2f} ms each")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(top)
            pstats.Stats(prof).sort_stats("tottime").print_stats(top)
            if os.environ.get("YIGONG_PROFILE_CALLERS"):
                pstats.Stats(prof).print_callers(os.environ["YIGONG_PROFILE_CALLERS"])

    asyncio.run(go())


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=5, help="alternations of bare and bot")
    ap.add_argument("--port", type=int, default=18710)
    ap.add_argument("--profile", type=int, default=0, help="profile N callbacks in-process")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    SERVER_ENV.update(item.split("=", 1) for item in args.server_env)
    if args.profile:
        profile(args.profile, args.top)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="yigong-cb-"))
    os.environ.update(_env(tmp / "bench.db"))
    for k in [k for k in os.environ if k.startswith(("WECOM_", "YIGONG_", "REDIS"))]:
        del os.environ[k]
    settings = Settings()
    crypto = CallbackCrypto(settings)
    # Both servers up at once (the idle one costs nothing); the load alternates between them
    # in short rounds, so that both see the same background load of a shared machine.
    ports = {"bare": args.port, "bot": args.port + 1}
    procs = {
        kind: start(kind, port, tmp / "bench.db", tmp / f"{kind}.log")
        for kind, port in ports.items()
    }
    runs = {kind: Run(kind) for kind in ports}
    try:
        reply = check_reply(ports["bot"], Callbacks(crypto, settings.corp_id), crypto)
        assert "以工代赈助手可以" in reply, reply
        per_round = args.seconds / args.rounds
        for _ in range(args.rounds):
            for kind, port in ports.items():
                calls = Callbacks(crypto, settings.corp_id)
                # sealed before the clock, enough for 1,500 a second: sealing on the fly would
                # load the clients' process and hold back the faster server
                calls.prepare(int(1500 * (per_round + WARMUP)) + 200)
                part = load(kind, port, args.clients, per_round, calls, procs[kind].pid)
                runs[kind].latencies += part.latencies
                runs[kind].errors += part.errors
                runs[kind].seconds += part.seconds
                runs[kind].cpu += part.cpu
    finally:
        for proc in procs.values():
            stop(proc)
    bare, bot = runs["bare"], runs["bot"]
    print(
        f"callback bench: {args.clients} clients, {args.seconds:.0f} s each in {args.rounds} "
        f"alternating rounds ({WARMUP:.0f} s warm-up each), SQLite, distinct encrypted "
        f"“{TEXT}” from an unknown user"
    )
    print(
        f"{'server':<6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'n':>7} "
        f"{'CPU ms/req':>11}"
    )
    for r in (bare, bot):
        print(
            f"{r.name:<6} {r.rate:8.1f} {r.pct(0.50):8.1f} {r.pct(0.99):8.1f} "
            f"{r.errors:7d} {len(r.latencies):7d} {r.cpu_ms:11.2f}"
        )
    print(
        f"bot / bare throughput: {bot.rate / max(bare.rate, 1e-9):.2f}×  "
        f"(targets: ≥ 0.80×, bot p99 < 50 ms; measured {bot.pct(0.99):.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
