"""Alerting: critical cases, SLA warnings and breaches, escalations and volume spikes, sent to
Slack, Microsoft Teams, e-mail and signed webhooks, once per incident, with secrets and personal
data masked and post text never read as markup. A legal-restricted case is quoted only on
channels limited to teams that own it; other channels get its link and labels. The log carries
each alert's subject, never a quote. The state (cooldowns, held digests, spike counts) lives in
the workflow database, so a crash loses no alert and replicas send each once (grouping, store).
Entry point: `workflow.alerts.service.run(settings, stop)`."""
