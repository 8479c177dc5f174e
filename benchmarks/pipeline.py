"""Whole-pipeline figures: `vigie up` to first case, posts/s end to end, RSS of the process tree.

Runs `vigie up` (embedded broker, SQLite unless --database-url) in a temporary directory,
replaying a JSONL stream as fast as possible (the bundled sample, repeated --copies times with
fresh ids so every copy is new work), and prints:
- seconds from launch to the API being ready and to the first case;
- posts/s from the first case until every post has a verdict handled by the workflow service;
- the summed resident memory of the process tree at the end.

    .venv/bin/python benchmarks/pipeline.py --copies 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ingest" / "samples" / "sample_stream.jsonl"
PASSWORD = "benchmark-admin-password"


def _stream(copies: int, directory: Path) -> tuple[Path, int]:
    """The sample repeated `copies` times; each copy gets new post and thread ids."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = directory / "stream.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            for row in rows:
                row = dict(row)
                for field in ("platform_post_id", "conversation_id", "reply_to_id"):
                    if row.get(field):
                        row[field] = f"{row[field]}{copy:03d}"
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out, copies * len(rows)


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = int(re.search(r"^PPid:\s+(\d+)", text, re.M).group(1))
        children.setdefault(ppid, []).append(int(status.parent.name))
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            match = re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{current}/status").read_text(), re.M)
        except OSError:
            continue
        total_kib += int(match.group(1)) if match else 0
    return total_kib / 1024


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="Times the sample is replayed.")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        stream, total = _stream(args.copies, directory)
        env = {**os.environ, "VIGIE_ADMIN_PASSWORD": PASSWORD, "VIGIE_DATA_DIR": str(directory / "var"),
               "VIGIE_LOG_LEVEL": "WARNING"}
        argv = [sys.executable, "-m", "vigie.cli", "up", "--port", str(args.port), "--replay", str(stream)]
        if args.database_url:
            argv += ["--database-url", args.database_url]
        started = time.monotonic()
        up = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        base = f"http://127.0.0.1:{args.port}"
        try:
            ready = first_case = None
            token = None
            while time.monotonic() - started < args.timeout:
                try:
                    if ready is None and httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        ready = time.monotonic() - started
                        token = httpx.post(f"{base}/api/auth/token", timeout=5,
                                           data={"username": "admin", "password": PASSWORD}).json()["access_token"]
                    if token and first_case is None:
                        page = httpx.get(f"{base}/api/cases", params={"limit": 1}, timeout=5,
                                         headers={"Authorization": f"Bearer {token}"}).json()
                        if page.get("items"):
                            first_case = time.monotonic() - started
                    if first_case is not None:
                        metrics = httpx.get(f"{base}/metrics", timeout=5).text
                        done = _metric(metrics, "vigie_records_consumed_total", service="workflow")
                        if done >= total:
                            break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            finished = time.monotonic() - started
            rss = _tree_rss_mib(up.pid)
        finally:
            up.send_signal(signal.SIGTERM)
            up.wait(60)
        if first_case is None:
            sys.exit("no case appeared before the timeout")
        print(f"posts replayed                 {total}")
        print(f"vigie up -> API ready          {ready:.1f} s")
        print(f"vigie up -> first case         {first_case:.1f} s")
        print(f"first case -> all processed    {finished - first_case:.1f} s")
        print(f"end-to-end throughput          {total / (finished - first_case):.0f} posts/s")
        print(f"RSS of the process tree        {rss:.0f} MiB")


if __name__ == "__main__":
    main()
