# Portal Layanan Publik — application image (web, worker, beat, ingest, migrate).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    VAR_DIR=/app/var

# Runtime system packages:
#   fonts-liberation                 fonts for WeasyPrint PDFs (the slim image has almost none)
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   WeasyPrint's native libraries
#   libpq5                           psycopg2
#   gettext                          msgfmt for `compilemessages`
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-liberation \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        libpq5 \
        gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app

# psycopg2 (not -binary) builds from source: compilers and headers are installed
# and removed again in the same layer.
#
# django-celery-beat 2.9.0 declares `Django<6.1` in its metadata, but we run
# Django 6.1 (it works). It is therefore NOT a dependency in pyproject.toml
# (pip's resolver would refuse the combination) and is installed on its own,
# after `pip install .`, with --no-deps. Its real dependencies (celery,
# django-timezone-field, python-crontab, cron-descriptor, tzdata) must come from
# pyproject.toml. Drop the extra step once a release allows Django 6.1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && pip install . \
 && pip install --no-deps "django-celery-beat>=2.9,<3" \
 && apt-get purge -y --auto-remove build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*

# Build-time only placeholders so settings import without the real secrets
# (collectstatic/compilemessages touch neither the database nor encrypted data).
# The real values come from the environment at run time (docker-compose.yml).
RUN SECRET_KEY=build-only-not-secret \
    FIELD_ENCRYPTION_SALT=build-only-not-secret \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    MQTT_URL=mqtt://localhost:1883 \
    DEBUG=0 \
    VAR_DIR=/app/var \
    sh -c 'python manage.py collectstatic --noinput \
        && python manage.py compilemessages --ignore=.venv --ignore=node_modules'

# Non-root runtime user. Settings keep runtime data under VAR_DIR (/app/var):
# the collected static files stay root-owned and read-only; the app user may
# create files in var/ and in var/media (uploads, a volume in docker-compose.yml).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
 && mkdir -p /app/var/media /app/var/private /app/var/keys \
 && chown app:app /app/var /app/var/media /app/var/private /app/var/keys
USER app

EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
