"""The workflow service: verdicts become cases with owning teams, assignees and honest SLAs.

`workflow.service.run` consumes vigie.verdicts and publishes vigie.cases; `workflow.api.create_app`
serves the queue's REST API; `workflow.db.init_db` migrates the schema; routing (`routing`),
business time (`calendars`) and SLA arithmetic (`sla`) are pure functions.
"""
