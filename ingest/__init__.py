"""The ingest service: platforms, webhooks and replays -> the posts topic, once and without gaps.

`ingest.service.run` runs the configured connectors; `ingest.webhooks.create_router` is the
webhook receiver mounted into the API. Imports `events` only, never another service.
"""
