"""The `vigie` command line: composition root that wires the services together (nothing imports it)."""
