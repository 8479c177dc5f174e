# One image for every Vigie service; the command picks the service (vigie ingest|classify|workflow|api).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY events ./events
COPY ingest ./ingest
COPY classify ./classify
COPY workflow ./workflow
COPY vigie ./vigie
RUN pip install . && useradd --system --uid 10001 vigie
USER vigie
ENTRYPOINT ["vigie"]
CMD ["--help"]
