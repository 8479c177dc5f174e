"""`vigie up` as a user runs it: one command, cases within seconds, a clean stop, no orphans."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from processes import SAMPLE_STREAM, wait_until

from events.broker import free_port
from events.settings import BUNDLED_BRAND_CONFIG

pytestmark = pytest.mark.slow

PASSWORD = "up-test-password"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").exists() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_up_shows_cases_and_stops_everything(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = free_port()
    sample = tmp_path / "sample.jsonl"
    sample.write_text("".join(SAMPLE_STREAM.read_text(encoding="utf-8").splitlines(True)[:60]))
    env = {**os.environ, "VIGIE_ADMIN_PASSWORD": PASSWORD, "VIGIE_DATA_DIR": str(tmp_path / "var")}
    env.pop("VIGIE_KAFKA_BOOTSTRAP_SERVERS", None)
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen([sys.executable, "-m", "vigie.cli", "up", "--port", str(port),
                               "--replay", str(sample)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: "Ctrl-C stops everything" in log.read_text(), 60, log.read_text)
        banner = log.read_text()
        assert f"{base}/api/cases" in banner and f"{base}/metrics" in banner
        assert f"sqlite:///{tmp_path / 'var' / 'vigie.db'}" in banner
        broker_pid = int(re.search(r"tansu pid (\d+)", banner).group(1))
        child_pids = [int(p) for p in re.findall(r"started \w+ \(pid (\d+)\)", banner)]
        assert len(child_pids) == 5 and _alive(broker_pid)

        def first_case() -> bool:
            try:
                token = httpx.post(f"{base}/api/auth/token", timeout=5,
                                   data={"username": "admin", "password": PASSWORD}).json()["access_token"]
                page = httpx.get(f"{base}/api/cases", headers={"Authorization": f"Bearer {token}"}, timeout=5)
                return bool(page.json()["items"])
            except (httpx.HTTPError, KeyError, ValueError):
                return False

        wait_until(first_case, 90, log.read_text)
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        assert re.search(r'vigie_records_consumed_total\{service="workflow",status="ok",[^}]*\} [1-9]', metrics)
    finally:
        up.send_signal(stop_signal)
        code = up.wait(60)
    assert code == 0, log.read_text()[-3000:]
    wait_until(lambda: not any(_alive(p) for p in [broker_pid, *child_pids]), 10, log.read_text)


def test_up_refuses_an_invalid_brand_config(tmp_path: Path) -> None:
    bad = tmp_path / "brand.yaml"
    bad.write_text(BUNDLED_BRAND_CONFIG.read_text(encoding="utf-8").replace("triage_team: triage", "triage_team: nobody"))
    env = {**os.environ, "VIGIE_BRAND_CONFIG": str(bad), "VIGIE_DATA_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-m", "vigie.cli", "up"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "triage_team: nobody" in text)
    assert f"{bad}:{line}: triage_team: unknown team 'nobody'" in result.stderr


def test_check_config_reports_a_valid_file() -> None:
    result = subprocess.run([sys.executable, "-m", "vigie.cli", "check-config", str(BUNDLED_BRAND_CONFIG)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "valid — brand 'Laurentia Mobile'" in result.stdout


def test_up_runs_against_an_external_kafka_and_database(
    tmp_path: Path, broker, database_url: str, unique: str
) -> None:
    """--kafka and --database-url: no embedded broker, the given database gets the cases."""
    import sqlalchemy as sa

    port = free_port()
    sample = tmp_path / "sample.jsonl"
    sample.write_text("".join(SAMPLE_STREAM.read_text(encoding="utf-8").splitlines(True)[:40]))
    env = {**os.environ, "VIGIE_ADMIN_PASSWORD": PASSWORD, "VIGIE_DATA_DIR": str(tmp_path / "var"),
           "VIGIE_TOPIC_PREFIX": f"up{unique}", "VIGIE_GROUP_PREFIX": f"up{unique}"}
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "vigie.cli", "up", "--port", str(port), "--replay", str(sample),
             "--kafka", broker.bootstrap_servers, "--database-url", database_url],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    engine = sa.create_engine(database_url)

    def cases() -> int:
        try:
            with engine.connect() as conn:
                return int(conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one())
        except sa.exc.SQLAlchemyError:
            return 0

    try:
        wait_until(lambda: cases() > 0, 90, log.read_text)
        banner = log.read_text()
        assert f"Kafka at {broker.bootstrap_servers}" in banner and "tansu pid" not in banner
        assert sa.engine.make_url(database_url).render_as_string(hide_password=True) in banner
    finally:
        up.send_signal(signal.SIGTERM)
        code = up.wait(60)
        engine.dispose()
    assert code == 0, log.read_text()[-3000:]
