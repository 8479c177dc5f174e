"""Writes Vigie's Grafana dashboards (dashboards/*.json) from the panel lists below.

Run `python deploy/grafana/build_dashboards.py` after editing; the test suite checks that the
JSON files match and that every query returns data from a running pipeline. Metric names and
labels: events/metrics.py and the services' metrics.py files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATASOURCE = {"type": "prometheus", "uid": "vigie-prometheus"}
RATE = "$__rate_interval"


@dataclass(frozen=True)
class Panel:
    title: str
    queries: list[tuple[str, str]]  # (PromQL, legend)
    kind: str = "timeseries"
    unit: str = "short"
    width: int = 12
    description: str = ""
    thresholds: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    panels: list[Panel]
    team_variable: bool = False


def _target(index: int, expr: str, legend: str) -> dict[str, Any]:
    return {
        "refId": chr(ord("A") + index),
        "datasource": DATASOURCE,
        "expr": expr,
        "legendFormat": legend,
        "range": True,
    }


def _steps(panel: Panel) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
    return steps + [{"color": color, "value": value} for value, color in panel.thresholds]


def _panel(panel: Panel, index: int, x: int, y: int) -> dict[str, Any]:
    height = 5 if panel.kind == "stat" else 8
    body: dict[str, Any] = {
        "id": index + 1,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": panel.width, "h": height},
        "targets": [_target(i, expr, legend) for i, (expr, legend) in enumerate(panel.queries)],
        "fieldConfig": {
            "defaults": {
                "unit": panel.unit,
                "thresholds": {"mode": "absolute", "steps": _steps(panel)},
            },
            "overrides": [],
        },
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
    }
    if panel.kind == "stat":
        body["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"}
    if panel.kind == "bargauge":
        body["options"] = {
            "reduceOptions": {"calcs": ["lastNotNull"]},
            "orientation": "horizontal",
            "displayMode": "basic",
        }
    return body


def _layout(panels: list[Panel]) -> list[dict[str, Any]]:
    out, x, y, row_height = [], 0, 0, 0
    for index, panel in enumerate(panels):
        if x + panel.width > 24:
            x, y, row_height = 0, y + row_height, 0
        built = _panel(panel, index, x, y)
        out.append(built)
        x += panel.width
        row_height = max(row_height, built["gridPos"]["h"])
    return out


def _team_variable() -> dict[str, Any]:
    return {
        "name": "team",
        "label": "Équipe / Team",
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": "label_values(vigie_case_events_total, team)", "refId": "team"},
        "definition": "label_values(vigie_case_events_total, team)",
        "includeAll": True,
        "allValue": ".*",
        "multi": True,
        "refresh": 2,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
    }


def render(dashboard: Dashboard) -> dict[str, Any]:
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "description": dashboard.description,
        "tags": ["vigie"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [_team_variable()] if dashboard.team_variable else []},
        "annotations": {"list": []},
        "panels": _layout(dashboard.panels),
    }


def _sum_rate(metric: str, by: str, where: str = "", per: str = "60") -> str:
    selector = f"{metric}{{{where}}}" if where else metric
    return f"sum by ({by}) (rate({selector}[{RATE}])) * {per}"


def _quantile(q: float, metric: str, by: str, where: str = "") -> str:
    selector = f"{metric}_bucket{{{where}}}" if where else f"{metric}_bucket"
    keep = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, sum by ({keep}) (rate({selector}[{RATE}])))"


TEAM = 'team=~"$team"'


def _open_cases(by: str, where: str = "") -> str:
    """Open cases from vigie_cases_open, which every API replica reports alike (computed from
    the database at scrape time): max over replicas first, then the sum the panel wants."""
    selector = f"vigie_cases_open{{{where}}}" if where else "vigie_cases_open"
    per_series = f"max by (team, label, state) ({selector})"
    return f"sum by ({by}) ({per_series})" if by else f"sum({per_series})"


def _quantile_24h(q: float, metric: str, by: str, where: str = "") -> str:
    """A quantile of a sparse histogram (a few observations an hour): over a day, not a rate."""
    selector = f"{metric}_bucket{{{where}}}" if where else f"{metric}_bucket"
    return f"histogram_quantile({q}, sum by (le, {by}) (increase({selector}[24h])))"


OVERVIEW = Dashboard(
    "vigie-overview",
    "Vigie — Vue d'ensemble / Overview",
    "What comes in, what gets flagged, what breaches, what alerts.",
    [
        Panel(
            "Publications reçues / Posts ingested (per min)",
            [(_sum_rate("vigie_ingest_posts_total", "source"), "{{source}}")],
        ),
        Panel(
            "Étiquettes posées / Labels given (per min)",
            [(_sum_rate("vigie_classify_labels_total", "label", 'shadow="false"'), "{{label}}")],
        ),
        Panel(
            "Publications 24 h / Posts 24 h",
            [("sum(increase(vigie_ingest_posts_total[24h]))", "posts")],
            kind="stat",
            width=6,
        ),
        Panel(
            "Cas ouverts 24 h / Cases opened 24 h",
            [('sum(increase(vigie_case_events_total{type="opened"}[24h]))', "cases")],
            kind="stat",
            width=6,
        ),
        Panel(
            "Échéances dépassées 24 h / SLA breaches 24 h",
            [
                (
                    'sum(increase(vigie_case_events_total{type="sla_breached"}[24h])) or vector(0)',
                    "breaches",
                )
            ],
            kind="stat",
            width=6,
            thresholds=[(1, "orange"), (5, "red")],
        ),
        Panel(
            "Alertes envoyées 24 h / Alerts sent 24 h",
            [("sum(increase(vigie_alerts_sent_total[24h])) or vector(0)", "sent")],
            kind="stat",
            width=6,
        ),
        Panel(
            "Cas ouverts / Open cases",
            [(_open_cases(""), "open")],
            kind="stat",
            width=6,
            description="One per owning team: a case with two teams' tasks counts twice.",
        ),
        Panel(
            "À relire / Waiting for a second reviewer",
            [(_open_cases("", 'state="pending_review"'), "pending review")],
            kind="stat",
            width=6,
            thresholds=[(1, "orange")],
            description="High-risk closings one person asked for, waiting for another's approval.",
        ),
        Panel(
            "Cas ouverts par étiquette / Open cases by label",
            [(_open_cases("label"), "{{label}}")],
            kind="bargauge",
        ),
        Panel(
            "Événements de cas / Case events (per min)",
            [(_sum_rate("vigie_case_events_total", "type"), "{{type}}")],
        ),
        Panel(
            "Politique médias sociaux / Social media policy",
            [("max by (status) (vigie_staff_policy_employees)", "{{status}}")],
            kind="bargauge",
            description="Employees of the roster current, due (reminded) or overdue (their "
            "manager told) with the policy's acceptance (the list: /staff, vigie status).",
        ),
        Panel(
            "Points forts des employés 7 j / Staff highlights 7 d",
            [("sum by (kind) (increase(vigie_staff_highlights_total[7d]))", "{{kind}}")],
            kind="bargauge",
            description="Staff posts the policy encourages: helpful answers to customers, customer "
            "stories, posts far better received than the person's usual (the list: /staff).",
        ),
        Panel(
            "Sources",
            [
                ("max by (source) (vigie_ingest_source_up)", "{{source}} up"),
                ("max by (source) (vigie_ingest_source_blind)", "{{source}} blind"),
            ],
            description="1 = polling / silent too long.",
        ),
    ],
)

QUEUE = Dashboard(
    "vigie-queue-sla",
    "Vigie — File et échéances / Queue and SLA",
    "Open cases, deadlines at risk and breached, escalations, per team.",
    [
        Panel(
            "Cas ouverts par équipe / Open cases by team",
            [(_open_cases("team", TEAM), "{{team}}")],
            description="Counted in the database at each scrape (vigie_cases_open).",
        ),
        Panel(
            "Cas ouverts par état / Open cases by state",
            [(_open_cases("state", TEAM), "{{state}}")],
            kind="bargauge",
            description="pending_review: a high-risk closing waits for a second person.",
        ),
        Panel(
            "Échéances proches / SLA at risk (per hour)",
            [
                (
                    _sum_rate(
                        "vigie_case_events_total", "team", f'type="sla_at_risk",{TEAM}', "3600"
                    ),
                    "{{team}}",
                )
            ],
        ),
        Panel(
            "Échéances dépassées / SLA breaches (per hour)",
            [
                (
                    _sum_rate(
                        "vigie_case_events_total", "team", f'type="sla_breached",{TEAM}', "3600"
                    ),
                    "{{team}}",
                )
            ],
        ),
        Panel(
            "Escalades / Escalations (per hour)",
            [
                (
                    _sum_rate(
                        "vigie_case_events_total", "team", f'type="escalated",{TEAM}', "3600"
                    ),
                    "{{team}}",
                )
            ],
        ),
        Panel(
            "Dépassements 24 h par équipe / Breaches 24 h by team",
            [
                (
                    f'sum by (team) (increase(vigie_case_events_total{{type="sla_breached",{TEAM}}}[24h]))',
                    "{{team}}",
                )
            ],
            kind="bargauge",
            thresholds=[(1, "orange"), (5, "red")],
        ),
        Panel(
            "Nouvelles tâches assignées / Tasks assigned (per hour)",
            [
                (
                    _sum_rate("vigie_case_events_total", "team", f'type="assigned",{TEAM}', "3600"),
                    "{{team}}",
                )
            ],
        ),
        Panel(
            "Alertes par canal / Alerts by channel (per hour)",
            [
                (
                    _sum_rate("vigie_alerts_sent_total", "channel, kind", per="3600"),
                    "{{channel}} {{kind}}",
                ),
                (
                    _sum_rate("vigie_alerts_failed_total", "channel", per="3600"),
                    "{{channel}} failed",
                ),
            ],
        ),
    ],
    team_variable=True,
)

TEAMS = Dashboard(
    "vigie-team-performance",
    "Vigie — Performance des équipes / Team performance",
    "What each team handles, how fast it answers and resolves, how often it slips.",
    [
        Panel(
            "Première réponse p50 / First response p50 (24 h)",
            [(_quantile_24h(0.5, "vigie_first_response_seconds", "team", TEAM), "{{team}}")],
            kind="bargauge",
            unit="s",
            description="Wall-clock time from a task's opening to its first response.",
        ),
        Panel(
            "Première réponse p90 / First response p90 (24 h)",
            [(_quantile_24h(0.9, "vigie_first_response_seconds", "team", TEAM), "{{team}}")],
            kind="bargauge",
            unit="s",
        ),
        Panel(
            "Résolution p50 / Resolution p50 (24 h)",
            [(_quantile_24h(0.5, "vigie_resolution_seconds", "team", TEAM), "{{team}}")],
            kind="bargauge",
            unit="s",
            description="Wall-clock time from opening to resolution (approval, when reviewed).",
        ),
        Panel(
            "Résolutions 24 h / Resolved 24 h",
            [
                (
                    f"sum by (team) (increase(vigie_resolution_seconds_count{{{TEAM}}}[24h]))",
                    "{{team}}",
                )
            ],
            kind="bargauge",
        ),
        Panel(
            "Tâches assignées / Tasks assigned 24 h",
            [
                (
                    f'sum by (team) (increase(vigie_case_events_total{{type="assigned",{TEAM}}}[24h]))',
                    "{{team}}",
                )
            ],
            kind="bargauge",
        ),
        Panel(
            "Changements d'état / State changes 24 h",
            [
                (
                    f'sum by (team) (increase(vigie_case_events_total{{type="state_changed",{TEAM}}}[24h]))',
                    "{{team}}",
                )
            ],
            kind="bargauge",
        ),
        Panel(
            "Part des tâches en dépassement / Breach ratio (24 h)",
            [
                (
                    f'sum by (team) (increase(vigie_case_events_total{{type="sla_breached",{TEAM}}}[24h])) / clamp_min(sum by (team) (increase(vigie_case_events_total{{type="assigned",{TEAM}}}[24h])), 1)',
                    "{{team}}",
                )
            ],
            kind="bargauge",
            unit="percentunit",
            thresholds=[(0.05, "orange"), (0.2, "red")],
        ),
        Panel(
            "Activité / Activity (per hour)",
            [
                (
                    _sum_rate(
                        "vigie_case_events_total",
                        "team, type",
                        f'type=~"assigned|state_changed|note_added|relabeled",{TEAM}',
                        "3600",
                    ),
                    "{{team}} {{type}}",
                )
            ],
        ),
    ],
    team_variable=True,
)

PIPELINE = Dashboard(
    "vigie-pipeline-health",
    "Vigie — Santé du pipeline / Pipeline health",
    "Lag, throughput, dead letters, latency, connectors, alert delivery.",
    [
        Panel(
            "Retard des consommateurs / Consumer lag",
            [("sum by (service, topic) (vigie_consumer_lag_records)", "{{service}} ← {{topic}}")],
            description="Records behind the high-water mark.",
        ),
        Panel(
            "Débit / Records handled (per s)",
            [
                (
                    _sum_rate("vigie_records_consumed_total", "service, status", per="1"),
                    "{{service}} {{status}}",
                )
            ],
            unit="ops",
        ),
        Panel(
            "Lettres mortes / Dead letters (per hour)",
            [
                (
                    _sum_rate(
                        "vigie_records_consumed_total",
                        "service, topic",
                        'status="dead_letter"',
                        "3600",
                    ),
                    "{{service}} {{topic}}",
                )
            ],
        ),
        Panel(
            "Reprises / Transient retries (per min)",
            [
                (
                    _sum_rate("vigie_transient_retries_total", "service, topic"),
                    "{{service}} {{topic}}",
                )
            ],
        ),
        Panel(
            "Durée des lots p95 / Batch time p95",
            [(_quantile(0.95, "vigie_handler_duration_seconds", "service"), "{{service}}")],
            unit="s",
        ),
        Panel(
            "Classification par publication / Classify time per post",
            [
                (_quantile(0.5, "vigie_classify_duration_seconds", ""), "p50"),
                (_quantile(0.95, "vigie_classify_duration_seconds", ""), "p95"),
            ],
            unit="s",
        ),
        Panel(
            "Workflow: lot de verdicts p95 / intake batch p95",
            [(_quantile(0.95, "vigie_workflow_intake_duration_seconds", ""), "p95")],
            unit="s",
        ),
        Panel(
            "Verdicts reçus par le workflow / Workflow outcomes (per min)",
            [(_sum_rate("vigie_workflow_verdicts_total", "outcome"), "{{outcome}}")],
        ),
        Panel(
            "Silence des sources / Seconds since newest post",
            [("max by (source) (vigie_ingest_seconds_since_newest_post)", "{{source}}")],
            unit="s",
        ),
        Panel(
            "Quota de lecture restant / Read cap left (posts)",
            [
                ("min by (source) (vigie_ingest_read_budget_remaining_posts)", "{{source}} left"),
                ("min by (source) (vigie_ingest_read_cap_posts)", "{{source}} monthly cap"),
            ],
            description="Posts the access tier still lets Vigie read before the cap resets.",
        ),
        Panel(
            "Épuisement prévu du quota / Read cap runs out (days)",
            [
                (
                    "(min by (source) (vigie_ingest_read_budget_runs_out_timestamp_seconds)"
                    " - time()) / 86400",
                    "{{source}}",
                )
            ],
            kind="stat",
            unit="d",
            description="Days until the read cap is spent at this month's pace (∞: it lasts).",
        ),
        Panel(
            "Erreurs des connecteurs / Connector errors (per hour)",
            [
                (
                    _sum_rate("vigie_ingest_errors_total", "source, kind", per="3600"),
                    "{{source}} {{kind}}",
                )
            ],
        ),
        Panel(
            "Livraison des alertes p95 / Alert delivery p95",
            [(_quantile(0.95, "vigie_alert_delivery_seconds", "channel"), "{{channel}}")],
            unit="s",
        ),
        Panel(
            "Cibles / Targets up",
            [('up{job=~"vigie-.*"}', "{{component}} {{instance}}")],
            kind="stat",
        ),
    ],
)

QUALITY = Dashboard(
    "vigie-model-quality",
    "Vigie — Qualité du modèle / Model quality",
    "What the model flags, how a candidate model compares, what people correct.",
    [
        Panel(
            "Étiquettes par modèle / Labels by model (per hour)",
            [
                (
                    _sum_rate("vigie_classify_labels_total", "label, shadow", per="3600"),
                    "{{label}} shadow={{shadow}}",
                )
            ],
        ),
        Panel(
            "Accord du modèle candidat / Shadow agreement",
            [
                (
                    'sum(rate(vigie_classify_shadow_posts_total{agreement="same"}[$__rate_interval])) / clamp_min(sum(rate(vigie_classify_shadow_posts_total[$__rate_interval])), 1e-9)',
                    "agreement",
                )
            ],
            unit="percentunit",
        ),
        Panel(
            "Accord par étiquette / Agreement by label (24 h)",
            [
                (
                    "sum by (label, outcome) (increase(vigie_classify_shadow_labels_total[24h]))",
                    "{{label}} {{outcome}}",
                )
            ],
            kind="bargauge",
            description="both: the two models agree; live_only / shadow_only: one of them alone.",
        ),
        Panel(
            "Notes du classement / Classify notes (per hour)",
            [(_sum_rate("vigie_classify_notes_total", "note", per="3600"), "{{note}}")],
            description="E.g. truncated text, unknown language.",
        ),
        Panel(
            "Reclassements / Relabels by people (per hour)",
            [
                (
                    _sum_rate("vigie_case_events_total", "team", 'type="relabeled"', "3600"),
                    "{{team}}",
                )
            ],
            description="Each relabel is a correction the next model trains on.",
        ),
        Panel(
            "Corrections par étiquette / Corrections by label (24 h)",
            [
                (
                    "sum by (label, change) (increase(vigie_relabels_total[24h]))",
                    "{{label}} {{change}}",
                )
            ],
            kind="bargauge",
            description="added: people gave the label the model missed; removed: a false alarm.",
        ),
    ],
)

DASHBOARDS = [OVERVIEW, QUEUE, TEAMS, PIPELINE, QUALITY]


def files() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    return {
        f"{d.uid}.json": json.dumps(render(d), ensure_ascii=False, indent=2) + "\n"
        for d in DASHBOARDS
    }


def main() -> None:
    out = HERE / "dashboards"
    out.mkdir(exist_ok=True)
    for name, text in files().items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
