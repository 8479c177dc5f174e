"""Alerting: critical cases, SLA warnings and breaches, escalations and volume spikes, sent to
Slack, Microsoft Teams, e-mail and signed webhooks, once per incident, with personal data
masked. Entry point: `workflow.alerts.service.run(settings, stop)`."""
