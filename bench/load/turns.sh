#!/usr/bin/env bash
# Load test: durable chat turns over HTTP on loopback.
# Usage: bench/load/turns.sh [CONNECTIONS] [SECONDS]
# Environment: XIAOER_BIN runs that binary instead of building this tree
# (to alternate before/after builds); XIAOER_LOG keeps the server's log;
# XIAOER_THINK_MS gives each shopper a mean pause between an answer and the
# next message (turns.lua), for latency below saturation instead of the
# closed loop's 64 requests always outstanding.
# Starts a release `xiaoer serve` on a temporary store at the reference
# clock, opens one conversation per connection, and drives them with wrk.
# Traffic goes to 127.0.0.1 only; the run is bounded by SECONDS.
# Besides wrk's figures it prints the server's CPU time per turn (user +
# system, from /proc), which other work on a shared machine disturbs less
# than turns/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-64}
seconds=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
bin=${XIAOER_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p xiaoer
  bin=${CARGO_TARGET_DIR:-./target}/release/xiaoer
fi
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
port=$((20000 + RANDOM % 20000))
RUST_LOG=warn ${XIAOER_ENV:-} "$bin" serve --listen 127.0.0.1:$port --data-dir "$data/store" \
  --now 2026-11-20T12:00:00+08:00 > "${XIAOER_LOG:-$data/serve.log}" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
# Customers whose conversations stay with the bot under turns.lua's texts
# (C1002's and C1006's are handed to the queue on their second turn, after
# which a request is only the shopper's message appended, no bot turn).
customers=(C1001 C1003 C1004 C1005)
for i in $(seq "$connections"); do
  curl -sf "http://127.0.0.1:$port/api/conversations" -H 'content-type: application/json' \
    -d "{\"customer_id\":\"${customers[$((i % ${#customers[@]}))]}\"}" | sed -E 's/.*"conversation_id":"([0-9a-f]+)".*/\1/'
  echo
done > "$data/conversations.txt"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# user + system ticks per thread name (tokio-rt-worker, sled-io-N, …)
thread_ticks() {
  for t in /proc/$pid/task/*; do
    echo "$(sed 's/-[0-9]*$//' "$t/comm") $(awk '{print $14 + $15}' "$t/stat") $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")"
  done | awk '{a[$1] += $2; c[$1] += $3} END {for (k in a) print k, a[k], c[k]}' | sort
}
echo "$(date -u +%FT%TZ), $(nproc) CPUs, $(uptime | sed 's/.*load/load/')"
before=$(cpu_ticks)
thread_ticks > "$data/threads.before"
XIAOER_CONVERSATIONS="$data/conversations.txt" /usr/bin/time -f "%U %S" -o "$data/wrk.time" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
  -s "${XIAOER_WRK_SCRIPT:-bench/load/turns.lua}" "http://127.0.0.1:$port" -- 2 | tail -n 20 | tee "$data/wrk.txt"
ticks=$(( $(cpu_ticks) - before ))
thread_ticks > "$data/threads.after"
turns=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$data/wrk.txt")
echo "server cpu $(( ticks * 1000000 / $(getconf CLK_TCK) / (turns > 0 ? turns : 1) )) us/turn ($turns turns)"
# The load tool shares the two CPUs: what it spent per turn.
awk -v turns="$turns" '{ printf "wrk cpu %d us/turn\n", ($1 + $2) * 1000000 / (turns > 0 ? turns : 1) }' "$data/wrk.time"
# The server's own view of the turns (arrival of the request to its durable
# answer, from /metrics): what wrk measures besides is the load tool's and
# the socket's share, and the scheduling of both on the same two CPUs.
curl -sf "http://127.0.0.1:$port/metrics" > "$data/metrics.txt" || true
awk '
  /^xiaoer_turn_duration_seconds_bucket/ { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
    n++; bound[n] = le; count[n] = $2 }
  /^xiaoer_turn_duration_seconds_count/ { total = $2 }
  END { if (total == 0) exit
    for (i = 1; i <= n; i++) { if (!p50 && count[i] >= total * 0.5) p50 = bound[i]
      if (!p99 && count[i] >= total * 0.99) p99 = bound[i]; if (bound[i] == "0.005") within = count[i] / total }
    printf "server side: p50 <= %s s, p99 <= %s s, %.1f %% within 5 ms\n", p50, p99, within * 100 }' "$data/metrics.txt"
# The group commit: how many flushes, how many writes each made durable,
# and how long each took (the disk's share of a turn's latency).
awk '/^xiaoer_store_flushes_total/ { f = $2 } /^xiaoer_store_flushed_writes_total/ { w = $2 }
  /^xiaoer_store_flush_seconds_total/ { s = $2 }
  END { if (f > 0) printf "group commit: %d flushes, %.1f writes and %.2f ms per flush\n", f, w / f, s * 1000 / f }' "$data/metrics.txt"
# Where the server's CPU went, and how often its threads were switched
# out, per thread name (threads that ended during the run are left out).
join -a2 -e0 -o 0,1.2,1.3,2.2,2.3 "$data/threads.before" "$data/threads.after" |
  awk -v turns="$turns" -v hz="$(getconf CLK_TCK)" '{ n = turns > 0 ? turns : 1; d = $4 - $2
    if (d > 0) printf "  %s %d us/turn, %.2f context switches/turn\n", $1, d * 1000000 / hz / n, ($5 - $3) / n }'
