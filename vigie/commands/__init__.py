"""One module per group of commands; each registers on vigie.app.app."""
