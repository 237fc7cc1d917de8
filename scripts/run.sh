#!/usr/bin/env bash
# Start the portal: web (gunicorn), a Celery worker, Celery beat and the sensor
# simulator (plus the MQTT ingester when MQTT_URL is set), in the foreground.
# Ctrl-C stops them all. Embedded mode unless DATABASE_URL / REDIS_URL / MQTT_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping the portal…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$PY -m gunicorn portal.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --access-logfile var/log/web-access.log --error-logfile var/log/web.log &
pids+=($!)
$PY -m celery -A portal worker --queues celery,ingest,notifications.bulk --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}" \
  --logfile var/log/worker.log >>var/log/worker.log 2>&1 &
pids+=($!)
$PY -m celery -A portal beat --loglevel INFO --logfile var/log/beat.log \
  --schedule var/celerybeat-schedule >>var/log/beat.log 2>&1 &
pids+=($!)

# Live sensor data for the demo assets. With a broker the simulator publishes over
# MQTT and an ingester takes the stream in; without one it feeds the same
# ingestion code directly.
if [ -n "${MQTT_URL:-}" ]; then
  $PY manage.py ingest_mqtt >>var/log/ingest.log 2>&1 &
  pids+=($!)
fi
$PY manage.py simulate_sensors --rate "${SIMULATOR_RATE:-5}" >>var/log/simulator.log 2>&1 &
pids+=($!)

mode="embedded (SQLite under var/, Celery over var/celery, email to the console)"
[ -n "${DATABASE_URL:-}${REDIS_URL:-}${MQTT_URL:-}" ] && mode="real services (DATABASE_URL/REDIS_URL/MQTT_URL)"
cat <<MSG

  Portal Layanan Publik is running: http://$HOST:$PORT
  Mode: $mode
  Logs: var/log/ (web, worker, beat, simulator, ingest). Press Ctrl-C to stop.

MSG
$PY manage.py seed_demo --logins-only

# Stop everything as soon as any of them dies.
wait -n
echo "A portal process stopped; see var/log/." >&2
exit 1
