# 以工代赈助手: one image for every replica. Build: docker build -t yigong-bot .
# Pinned to Debian bookworm: its postgresql-client-15 must match the PostgreSQL major version
# in docker-compose.yml (pg_dump refuses a newer server). Change both together.
FROM python:3.11-slim-bookworm

ARG PG_MAJOR=15

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

# postgresql-client: pg_dump/pg_restore for `yigong backup` and `yigong restore`; the build fails
# if it is not the expected major version. fonts-wqy-microhei (5 MB): a CJK font, so that the
# quarterly chart sent to admins is labelled in Chinese (reminders/chart.py). /backups is where the compose `backups` volume is
# mounted: created here and owned by the bot's user, so that an empty named volume takes this
# ownership and `yigong backup /backups/...` can write to it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" tzdata \
       fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/* \
    && pg_dump --version | grep -q "(PostgreSQL) ${PG_MAJOR}\." \
    && pip install --no-cache-dir uv \
    && groupadd --gid 10001 yigong \
    && useradd --create-home --uid 10001 --gid yigong yigong \
    && mkdir -p /backups \
    && chown yigong:yigong /backups

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --compile-bytecode
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY models ./models
COPY reminders ./reminders
RUN uv sync --locked --no-dev --compile-bytecode && chown -R yigong:yigong /app

USER yigong
ENV TZ=Asia/Shanghai
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# SIGTERM (docker stop) lets in-flight callbacks finish; give it more than 10 s: stop_grace_period.
CMD ["yigong", "serve", "--host", "0.0.0.0", "--port", "8000"]
