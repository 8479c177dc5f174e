"""Prometheus rules, Alertmanager and Grafana dashboards, checked for real.

Static: promtool checks and unit-tests the rules, amtool checks Alertmanager's configuration,
the dashboard JSON matches its builder. Live: the whole pipeline (`vigie up` replaying the sample
stream, plus `vigie alerts`) runs with short SLAs, a malformed post, a refusing alert channel and
a few cases worked through the API (answered, resolved, relabeled, one waiting for review);
Debian's Prometheus scrapes it, every dashboard and rule expression is run through the HTTP API,
and a firing rule reaches Alertmanager and, through it, a local Slack receiver.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from events.broker import EmbeddedBroker, free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
RULES = DEPLOY / "prometheus" / "rules" / "vigie.yml"
GRAFANA_VARIABLES = {"$__rate_interval": "15s", "$team": ".*"}
METRIC = re.compile(r"\b(vigie_[a-z0-9_]+|up)\b(\{[^}]*\})?")
# Series only a polling connector (X, Mastodon, Bluesky) or a downstream outage produces: the
# replayed pipeline of this test has neither, so their queries must be valid but may be empty.
# The rules on them are proven by promtool's unit tests instead.
ADMIN_PASSWORD = "observability-test-pw"
NEEDS_CONNECTOR_OR_OUTAGE = {
    "vigie_ingest_source_up",
    "vigie_ingest_source_blind",
    "vigie_ingest_seconds_since_newest_post",
    "vigie_ingest_errors_total",
    "vigie_transient_retries_total",
    "vigie_ingest_read_cap_posts",
    "vigie_ingest_read_budget_remaining_posts",
    "vigie_ingest_read_budget_resets_timestamp_seconds",
    "vigie_ingest_read_budget_runs_out_timestamp_seconds",
}


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target, Grafana's variables replaced as Grafana would."""
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for name, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(name, value)
                found.append((f"{path.stem} / {panel['title']}", expr))
    return found


def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def selectors(expr: str) -> list[str]:
    """The series selectors an expression reads (metric names with their matchers)."""
    return sorted(
        {m.group(0) for m in METRIC.finditer(expr) if not expr[m.end() :].startswith("(")}
    )


def names(expr: str) -> set[str]:
    return {m.group(1) for m in METRIC.finditer(expr)}


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)


# --- static ----------------------------------------------------------------------------------


def test_promtool_checks_the_rules_and_their_unit_tests() -> None:
    checked = run("promtool", "check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = run(
        "promtool", "test", "rules", str(DEPLOY / "prometheus" / "tests" / "vigie_test.yml")
    )
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def test_every_alert_is_unit_tested_and_documented() -> None:
    tests = (DEPLOY / "prometheus" / "tests" / "vigie_test.yml").read_text(encoding="utf-8")
    for rule in rules():
        assert f"alertname: {rule['alert']}" in tests, f"{rule['alert']} has no promtool test"
        assert rule["labels"]["severity"] in {"page", "warning"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_prometheus_and_alertmanager_configurations_are_valid() -> None:
    checked = run(
        "promtool",
        "check",
        "config",
        "--syntax-only",
        str(DEPLOY / "prometheus" / "prometheus.yml"),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    amtool = run("amtool", "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))
    assert amtool.returncode == 0, amtool.stdout + amtool.stderr
    assert "hooks.slack.com" not in (DEPLOY / "alertmanager" / "alertmanager.yml").read_text()


def test_dashboards_match_their_builder_and_are_provisionable() -> None:
    built = run(
        sys.executable,
        "-c",
        "import json,sys; sys.path.insert(0, 'deploy/grafana'); "
        "import build_dashboards as b; print(json.dumps(b.files()))",
    )
    assert built.returncode == 0, built.stderr
    expected = json.loads(built.stdout)
    assert sorted(expected) == [p.name for p in DASHBOARDS], (
        "run deploy/grafana/build_dashboards.py"
    )
    uids = set()
    for path in DASHBOARDS:
        assert path.read_text(encoding="utf-8") == expected[path.name], f"{path.name} is stale"
        board = json.loads(expected[path.name])
        uids.add(board["uid"])
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "vigie-prometheus" and panel["targets"], panel[
                "title"
            ]
    assert len(uids) == len(DASHBOARDS) == 5
    source = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    assert source["datasources"][0]["uid"] == "vigie-prometheus"


# --- live ------------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A local Slack-like endpoint that records JSON bodies; answers `status`."""

    status: int = 200
    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def start(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.bodies.append(json.loads(body or b"{}"))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


@dataclass
class Stack:
    prometheus: str
    alertmanager: str
    ops_slack: Receiver

    def query(self, expr: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": expr}, timeout=10)
        body = response.json()
        assert response.status_code == 200 and body["status"] == "success", f"{expr}: {body}"
        return list(body["data"]["result"])


def _brand(tmp: Path) -> Path:
    """The bundled configuration with SLAs of seconds, around the clock, and alert channels."""
    data = yaml.safe_load((ROOT / "events" / "brand.example.yaml").read_text(encoding="utf-8"))
    for policy in data["sla_policies"]:
        policy.update(first_response="0.1m", resolution="0.3m", calendar="always")
        policy.pop("next_response", None)
    data["alerts"] = {
        "channels": [
            {"name": "comms", "type": "slack", "url_env": "T_COMMS_URL", "min_severity": "low"},
            {
                "name": "refusing-hook",
                "type": "webhook",
                "url_env": "T_HOOK_URL",
                "secret_env": "T_HOOK_KEY",
                "kinds": ["critical"],
                "min_severity": "critical",
            },
            {"name": "no-secret", "type": "teams", "url_env": "T_UNSET_TEAMS_URL"},
        ]
    }
    path = tmp / "brand.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
        )


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def _alertmanager_config(tmp: Path, slack_url: str, smtp_port: int) -> Path:
    """The repository's configuration, its secret files and SMTP host pointed at local stand-ins."""
    secrets = tmp / "secrets"
    secrets.mkdir()
    (secrets / "slack_webhook_url").write_text(slack_url)
    (secrets / "smtp_password").write_text("unused")
    config = yaml.safe_load(
        (DEPLOY / "alertmanager" / "alertmanager.yml")
        .read_text()
        .replace("/etc/alertmanager/secrets", str(secrets))
    )
    config["global"].update(smtp_smarthost=f"127.0.0.1:{smtp_port}", smtp_require_tls=False)
    config["route"].update(group_wait="1s", group_interval="1s")
    path = tmp / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _prometheus_config(tmp: Path, api: int, alerts: int, alertmanager: int) -> Path:
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager}"]}]}]
        },
        "scrape_configs": [
            {
                "job_name": "vigie-api",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{api}"], "labels": {"component": "api"}}
                ],
            },
            {
                "job_name": "vigie-services",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{alerts}"], "labels": {"component": "alerts"}}
                ],
            },
        ],
    }
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _inject_poison(bootstrap: str, topic: str) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send(topic, value=b"{not a post", key=b"poison")
    producer.flush()
    producer.close()


def _wait_for_data(stack: Stack, timeout: float = 120) -> None:
    """Until every selector of the dashboards and rules has data (SLA breaches take seconds)."""
    wanted = {s for _, e in dashboard_queries() for s in selectors(e)} | {
        s for r in rules() for s in selectors(r["expr"])
    }
    wanted = {s for s in wanted if not names(s) & NEEDS_CONNECTOR_OR_OUTAGE}
    deadline = time.monotonic() + timeout
    while wanted and time.monotonic() < deadline:
        wanted = {s for s in wanted if not stack.query(s.replace('=~".*"', '=~".+"'))}
        time.sleep(1)
    assert not wanted, f"never scraped: {sorted(wanted)}"


HIGH_RISK = {"risky_disclosure", "investor_sensitive"}


def _work_some_cases(api: str) -> None:
    """What people do: answer and resolve a case, correct the labels of another, and ask to
    resolve a high-risk one (it then waits for a second person's review)."""
    token = httpx.post(
        f"{api}/api/auth/token", data={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def act(case: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
        version = case["version"]
        for _ in range(10):  # the SLA clock moves cases too: on 409, act on the version it names
            response = httpx.post(
                f"{api}/api/cases/{case['id']}/actions",
                headers=headers,
                timeout=10,
                json=action | {"version": version},
            )
            if response.status_code != 409:
                break
            # A clash caught by the database names no version: read the case again.
            version = response.json().get("current_version") or httpx.get(
                f"{api}/api/cases/{case['id']}", headers=headers, timeout=10
            ).json()["version"]
        assert response.status_code == 200, response.text
        return dict(response.json())

    deadline = time.monotonic() + 60
    ordinary: list[dict[str, Any]] = []
    while len(ordinary) < 3 and time.monotonic() < deadline:
        items = httpx.get(
            f"{api}/api/cases", params={"state": "assigned"}, headers=headers, timeout=10
        ).json()["items"]
        # One task each: resolving it resolves the case (a case with two owning teams needs both).
        ordinary = [c for c in items if not HIGH_RISK & set(c["labels"]) and len(c["tasks"]) == 1]
        time.sleep(0.5)
    first, second, third = ordinary[:3]
    task = first["tasks"][0]["id"]
    answered = act(first, {"action": "acknowledge", "task_id": task})
    assert act(answered, {"action": "resolve", "task_id": task})["state"] == "resolved"
    act(second, {"action": "relabel", "labels": ["complaint"]})
    risky = act(third, {"action": "relabel", "labels": ["risky_disclosure"]})
    legal = next(t["id"] for t in risky["tasks"] if t["team"] == "legal")
    assert act(risky, {"action": "resolve", "task_id": legal})["state"] == "pending_review"


@pytest.fixture(scope="module")
def stack(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from aiosmtpd.controller import Controller

    tmp = tmp_path_factory.mktemp("observability")
    comms, refusing, ops_slack = Receiver(), Receiver(status=400), Receiver()
    servers = [comms.start(), refusing.start(), ops_slack.start()]
    smtp = Controller(
        type("Sink", (), {"handle_DATA": lambda *_: _async_ok()})(),
        hostname="127.0.0.1",
        port=free_port(),
    )
    smtp.start()
    api, alerts, prom, am = free_port(), free_port(), free_port(), free_port()
    prefix = f"obs{os.getpid()}{int(time.time())}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VIGIE_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        VIGIE_TOPIC_PREFIX=prefix,
        VIGIE_GROUP_PREFIX=prefix,
        VIGIE_DATA_DIR=str(tmp / "var"),
        VIGIE_BRAND_CONFIG=str(_brand(tmp)),
        VIGIE_ADMIN_PASSWORD=ADMIN_PASSWORD,
        VIGIE_SLA_CLOCK_SECONDS="1",
        VIGIE_SHADOW_MODEL_DIR=str(ROOT / "classify" / "bundled_model"),
        T_COMMS_URL=comms.url,
        T_HOOK_URL=refusing.url,
        T_HOOK_KEY="k",
    )
    vigie = [sys.executable, "-m", "vigie.cli"]
    processes = [
        _start(
            vigie + ["up", "--kafka", broker.bootstrap_servers, "--port", str(api), "--sample"],
            env,
            tmp / "up.log",
        ),
        _start(
            vigie + ["alerts", "--kafka", broker.bootstrap_servers],
            env | {"VIGIE_METRICS_PORT": str(alerts)},
            tmp / "alerts.log",
        ),
        _start(
            [
                "prometheus-alertmanager",
                f"--config.file={_alertmanager_config(tmp, ops_slack.url, smtp.port)}",
                f"--web.listen-address=127.0.0.1:{am}",
                "--cluster.listen-address=",
                f"--storage.path={tmp / 'am'}",
            ],
            env,
            tmp / "alertmanager.log",
        ),
        _start(
            [
                "prometheus",
                f"--config.file={_prometheus_config(tmp, api, alerts, am)}",
                f"--web.listen-address=127.0.0.1:{prom}",
                f"--storage.tsdb.path={tmp / 'prom'}",
            ],
            env,
            tmp / "prometheus.log",
        ),
    ]
    try:
        _wait(f"http://127.0.0.1:{api}/readyz")
        _inject_poison(broker.bootstrap_servers, f"{prefix}.posts")
        _wait(f"http://127.0.0.1:{prom}/-/ready")
        _wait(f"http://127.0.0.1:{am}/-/ready")
        running = Stack(f"http://127.0.0.1:{prom}", f"http://127.0.0.1:{am}", ops_slack)
        _work_some_cases(f"http://127.0.0.1:{api}")
        _wait_for_data(running)
        time.sleep(2)  # two more scrapes: every rate() window holds at least two samples
        yield running
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        for server in servers:
            server.shutdown()


async def _async_ok() -> str:
    return "250 OK"


def test_every_dashboard_query_returns_data(stack: Stack) -> None:
    empty = []
    for where, expr in dashboard_queries():
        if not stack.query(expr) and not names(expr) & NEEDS_CONNECTOR_OR_OUTAGE:
            empty.append(f"{where}: {expr}")
    assert not empty, "queries without data:\n" + "\n".join(empty)


def test_every_rule_is_valid_and_reads_series_that_exist(stack: Stack) -> None:
    missing = []
    for rule in rules():
        stack.query(rule["expr"])  # valid PromQL, evaluated on live data
        for selector in selectors(rule["expr"]):
            if not stack.query(selector) and not names(selector) & NEEDS_CONNECTOR_OR_OUTAGE:
                missing.append(f"{rule['alert']}: {selector}")
    assert not missing, "rules reading nothing:\n" + "\n".join(missing)


def test_trouble_fires_rules_that_reach_people_through_alertmanager(stack: Stack) -> None:
    deadline = time.monotonic() + 60
    fired: set[str] = set()
    while (
        time.monotonic() < deadline
        and not {"VigieDeadLettersRising", "VigieAlertDeliveryFailing", "VigieSlaBreaches"} <= fired
    ):
        fired |= {
            a["labels"]["alertname"]
            for a in httpx.get(f"{stack.alertmanager}/api/v2/alerts").json()
        }
        time.sleep(1)
    assert {"VigieDeadLettersRising", "VigieAlertDeliveryFailing", "VigieSlaBreaches"} <= fired
    assert "VigieAlertChannelDisabled" not in fired  # it waits 5 minutes first (`for: 5m`)
    disabled = stack.query('vigie_alert_channel_enabled{channel="no-secret"}')
    assert disabled and disabled[0]["value"][1] == "0"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        "VigieDeadLettersRising" in json.dumps(b) for b in stack.ops_slack.bodies
    ):
        time.sleep(0.5)
    texts = json.dumps(stack.ops_slack.bodies)
    assert "VigieDeadLettersRising" in texts and "dlq-reason" in texts


def test_staff_highlights_of_the_sample_reach_prometheus(stack: Stack) -> None:
    """The sample stream's staff answers to customers are gathered as highlights and counted by
    kind; the overview's panel reads that counter."""
    found = {
        r["metric"]["kind"]: float(r["value"][1])
        for r in stack.query("sum by (kind) (vigie_staff_highlights_total)")
    }
    assert found.get("helpful_answer", 0) > 0, found
    panel = stack.query("sum by (kind) (increase(vigie_staff_highlights_total[7d]))")
    assert {r["metric"]["kind"] for r in panel} >= {"helpful_answer", "customer_story"}
    standing = {
        r["metric"]["status"]: float(r["value"][1])
        for r in stack.query("max by (status) (vigie_staff_policy_employees)")
    }
    assert sum(standing.values()) == 10  # the sample roster, each in one standing
