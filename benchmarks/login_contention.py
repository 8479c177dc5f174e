"""What a burst of bad logins does to everyone else: the latency of another user's request, and
of a legitimate login, while N clients send wrong passwords as fast as they can.

    PYTHONPATH=benchmarks python benchmarks/login_contention.py [--attackers 6] [--seconds 8]

Runs the API on uvicorn (SQLite scratch file, production Argon2 parameters) once per hashing
limit (VIGIE_HASH_CONCURRENCY): a bounded number of hashes keeps the others' requests fast, and
the excess logins wait for a slot or get 503. The login throttle is raised out of the way here
(each attacker uses its own usernames), so what is measured is the hashing alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections import Counter

import httpx
import uvicorn
from pydantic import SecretStr
from workflow_common import scratch_database

from events.settings import Settings
from workflow.api import create_app

PASSWORD = "benchmark-admin-password"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(limit: int, attackers: int, seconds: float) -> dict[str, object]:
    os.environ["VIGIE_HASH_CONCURRENCY"] = str(limit)
    os.environ["VIGIE_LOGIN_ADDRESS_LIMIT"] = "100000"
    with scratch_database("sqlite") as url:
        settings = Settings(database_url=url, admin_password=SecretStr(PASSWORD))
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        login = {"username": "admin", "password": PASSWORD}
        token = httpx.post(f"{base}/api/auth/token", data=login).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def other_requests(samples: list[float]) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    start = time.perf_counter()
                    client.get("/api/cases", params={"limit": 20})
                    samples.append(time.perf_counter() - start)
                    time.sleep(0.05)

        quiet: list[float] = []
        other_requests(quiet)
        stop = threading.Event()
        answers: Counter[int] = Counter()

        def attack(n: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                i = 0
                while not stop.is_set():
                    form = {"username": f"ghost-{n}-{i % 4}", "password": "wrong-password"}
                    answers[client.post("/api/auth/token", data=form).status_code] += 1
                    i += 1

        threads = [threading.Thread(target=attack, args=(n,)) for n in range(attackers)]
        for each in threads:
            each.start()
        time.sleep(0.5)
        busy: list[float] = []
        other_requests(busy)
        start = time.perf_counter()
        status = httpx.post(f"{base}/api/auth/token", data=login, timeout=30).status_code
        login_seconds = time.perf_counter() - start
        stop.set()
        for each in threads:
            each.join()
        server.should_exit = True
        thread.join(timeout=10)
        app.state.vigie.engine.dispose()
    return {
        "quiet_p50_ms": 1000 * statistics.median(quiet),
        "busy_p50_ms": 1000 * statistics.median(busy),
        "busy_p95_ms": 1000 * statistics.quantiles(busy, n=20)[-1],
        "login_ms": 1000 * login_seconds,
        "login_status": status,
        "attack_answers": dict(answers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--limits", default="64,2", help="hashing limits to compare")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, attackers: {args.attackers}")
    print(
        "hash limit | other GET p50 quiet | p50 under attack | p95 | a good login | attack answers"
    )
    for limit in (int(x) for x in args.limits.split(",")):
        r = measure(limit, args.attackers, args.seconds)
        print(
            f"{limit:>10} | {r['quiet_p50_ms']:>14.0f} ms | {r['busy_p50_ms']:>13.0f} ms | "
            f"{r['busy_p95_ms']:>5.0f} ms | {r['login_ms']:>6.0f} ms ({r['login_status']}) | "
            f"{r['attack_answers']}"
        )


if __name__ == "__main__":
    main()
