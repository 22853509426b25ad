#!/usr/bin/env bash
# `make run`: migrate, load demo data once, start a worker and the web app, print where to go.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export HOST=${HOST:-127.0.0.1} PORT=${PORT:-8000}

# Use a local Redis when one answers and none was configured; otherwise jobs run in-process.
if [ -z "${REDIS_URL:-}" ] && $bin/python -c 'import redis,sys; redis.Redis(socket_connect_timeout=1).ping()' 2>/dev/null; then
  export REDIS_URL=redis://127.0.0.1:6379/0
fi

$bin/review db upgrade
$bin/review demo --if-empty

worker_pid=
if [ -n "${REDIS_URL:-}" ]; then
  $bin/review worker &
  worker_pid=$!
  echo "worker 已启动（Redis: $REDIS_URL）"
else
  # Without a worker, urgent-deadline reminders need their own small loop.
  $bin/review deadlines --every 60 &
  worker_pid=$!
  echo "未找到 Redis：自动审查在 Web 进程内同步执行"
fi
trap '[ -n "$worker_pid" ] && kill $worker_pid 2>/dev/null; exit 0' INT TERM EXIT

echo
echo "  三审已启动：http://$HOST:$PORT/   （Ctrl-C 停止）"
echo
$bin/review serve --host "$HOST" --port "$PORT"
