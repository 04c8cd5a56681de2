#!/usr/bin/env bash
# A throw-away Prometheus server holding a small, known history, for the live import tests.
#
#   prometheus_fixture.sh start DIR URLFILE   backfill the series below into DIR/data, start
#                                             Prometheus on a free local port, wait until it
#                                             answers and the data is queryable, write its URL
#                                             to URLFILE
#   prometheus_fixture.sh stop DIR            stop the server started from DIR
#
# The series (OpenMetrics, one sample every 15 s from 2024-01-01T00:00:00Z = 1704067200 for one
# hour, i = 0..240, t = 1704067200 + 15 i) are chosen so that every rate() the tests ask for is
# an exact binary fraction:
#   container_cpu_usage_seconds_total, namespace "shop", container "app"
#     pod checkout-a: 1000 + 3.75 i up to i = 120, then 11.25 more per sample (0.25 -> 0.75 cores)
#     pod checkout-b: 2000 + 7.5 i                                             (0.5 cores)
#   the same metric with container "" for checkout-a (cAdvisor's pod-level total, which the
#   default queries must leave out) and a pod in namespace "other" (which the selector leaves out)
#   container_memory_working_set_bytes, namespace "shop", container "app"
#     pod checkout-a: 268435456 + 1048576 (i mod 4)   (256 MiB plus 0..3 MiB)
#     pod checkout-b: 536870912                        (512 MiB)
#   http_requests_total, namespace "shop"
#     pod checkout-a: 5000 + 150 i                                             (10 req/s)
#     pod checkout-b: 7000 + 450 i up to i = 120, then 750 more per sample     (30 -> 50 req/s)
# tests/traces/live/test_prometheus_live.cpp states the values it expects from these.
#
# The server keeps its data for 100 years so that the 2024 samples are not dropped by retention,
# has no scrape targets, and runs in its own session with its output in DIR/prometheus.log, so
# that CTest does not wait on it. Only the process recorded in DIR/prometheus.pid is ever stopped.
set -euo pipefail

readonly kStart=1704067200
readonly kSamples=241
readonly kReadyTimeoutS=60

usage() {
  echo "usage: $0 start DIR URLFILE | stop DIR" >&2
  exit 2
}

# Stops the server whose pid DIR/prometheus.pid records, if it still runs from DIR.
stop_server() {
  local dir=$1
  [[ -d $dir ]] || return 0
  dir=$(cd "$dir" && pwd)
  local pid_file="$dir/prometheus.pid"
  [[ -f $pid_file ]] || return 0
  local pid cmdline=""
  pid=$(cat "$pid_file")
  if [[ -r /proc/$pid/cmdline ]]; then
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  fi
  if [[ $cmdline == prometheus* && $cmdline == *"$dir/data"* ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      [[ -e /proc/$pid ]] || break
      sleep 0.2
    done
    if [[ -e /proc/$pid ]]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stopped Prometheus (pid $pid)"
  fi
  rm -f "$pid_file"
}

# Writes the OpenMetrics file described at the top.
write_series() {
  awk -v start="$kStart" -v n="$kSamples" 'BEGIN {
    print "# TYPE container_cpu_usage_seconds counter"
    for (i = 0; i < n; i++) {
      a = (i <= 120) ? 1000 + 3.75 * i : 1000 + 3.75 * 120 + 11.25 * (i - 120)
      printf "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"checkout-a\",container=\"app\"} %.2f %d\n", a, start + 15 * i
    }
    for (i = 0; i < n; i++) {
      printf "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"checkout-b\",container=\"app\"} %.2f %d\n", 2000 + 7.5 * i, start + 15 * i
    }
    for (i = 0; i < n; i++) {
      a = (i <= 120) ? 1000 + 3.75 * i : 1000 + 3.75 * 120 + 11.25 * (i - 120)
      printf "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"checkout-a\",container=\"\"} %.2f %d\n", a + 50 * i, start + 15 * i
    }
    for (i = 0; i < n; i++) {
      printf "container_cpu_usage_seconds_total{namespace=\"other\",pod=\"batch-x\",container=\"app\"} %d %d\n", 60 * i, start + 15 * i
    }
    print "# TYPE container_memory_working_set_bytes gauge"
    for (i = 0; i < n; i++) {
      printf "container_memory_working_set_bytes{namespace=\"shop\",pod=\"checkout-a\",container=\"app\"} %d %d\n", 268435456 + 1048576 * (i % 4), start + 15 * i
    }
    for (i = 0; i < n; i++) {
      printf "container_memory_working_set_bytes{namespace=\"shop\",pod=\"checkout-b\",container=\"app\"} %d %d\n", 536870912, start + 15 * i
    }
    for (i = 0; i < n; i++) {
      printf "container_memory_working_set_bytes{namespace=\"other\",pod=\"batch-x\",container=\"app\"} %d %d\n", 4294967296, start + 15 * i
    }
    print "# TYPE http_requests counter"
    for (i = 0; i < n; i++) {
      printf "http_requests_total{namespace=\"shop\",pod=\"checkout-a\"} %d %d\n", 5000 + 150 * i, start + 15 * i
    }
    for (i = 0; i < n; i++) {
      b = (i <= 120) ? 7000 + 450 * i : 7000 + 450 * 120 + 750 * (i - 120)
      printf "http_requests_total{namespace=\"shop\",pod=\"checkout-b\"} %d %d\n", b, start + 15 * i
    }
    print "# EOF"
  }'
}

# Answers whether something already listens on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_server() {
  local dir=$1 url_file=$2
  stop_server "$dir"
  rm -rf "$dir" "$url_file"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)

  # Backfill the history into blocks that the server loads when it starts.
  write_series >"$dir/series.om"
  if ! promtool tsdb create-blocks-from openmetrics "$dir/series.om" "$dir/data" \
      >"$dir/promtool.log" 2>&1; then
    cat "$dir/promtool.log" >&2
    echo "promtool could not backfill $dir/series.om" >&2
    exit 1
  fi
  printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$dir/prometheus.yml"

  # Start on a free port; another program may take the port in between, so try a few.
  local attempt port pid url
  for attempt in 1 2 3 4 5; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$port" && continue
    setsid prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" \
      </dev/null >"$dir/prometheus.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/prometheus.pid"
    url="http://127.0.0.1:$port"

    local waited=0
    while ((waited < kReadyTimeoutS * 5)); do
      [[ -e /proc/$pid ]] || break
      if curl -sf -o /dev/null --max-time 2 "$url/-/ready"; then
        break
      fi
      sleep 0.2
      waited=$((waited + 1))
    done
    if [[ -e /proc/$pid ]] && curl -sf -o /dev/null --max-time 2 "$url/-/ready"; then
      break
    fi
    echo "Prometheus did not start on port $port (attempt $attempt):" >&2
    tail -n 5 "$dir/prometheus.log" >&2
    stop_server "$dir"
    url=""
  done
  if [[ -z $url ]]; then
    echo "could not start Prometheus" >&2
    exit 1
  fi

  # The backfilled samples must be there: retention or a bad block would silently drop them.
  local answer
  answer=$(curl -sf --max-time 10 "$url/api/v1/query" \
    --data-urlencode 'query=count(container_cpu_usage_seconds_total)' \
    --data-urlencode "time=$((kStart + 900))")
  if ! grep -q '"value":\[[0-9.]*,"4"\]' <<<"$answer"; then
    echo "backfilled data is not queryable; Prometheus answered: $answer" >&2
    stop_server "$dir"
    exit 1
  fi
  echo "$url" >"$url_file"
  echo "Prometheus (pid $pid) serves the backfilled series at $url"
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start_server "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop_server "$2" ;;
  *) usage ;;
esac
