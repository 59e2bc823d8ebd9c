#!/usr/bin/env bash
# Load test: durable chat turns over HTTP on loopback.
# Usage: bench/load/turns.sh [CONNECTIONS] [SECONDS]
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
cargo build --release -q -p xiaoer
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
port=$((20000 + RANDOM % 20000))
RUST_LOG=warn ${XIAOER_ENV:-} ${CARGO_TARGET_DIR:-./target}/release/xiaoer serve --listen 127.0.0.1:$port --data-dir "$data/store" \
  --now 2026-11-20T12:00:00+08:00 > "$data/serve.log" 2>&1 &
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
before=$(cpu_ticks)
XIAOER_CONVERSATIONS="$data/conversations.txt" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
  -s "${XIAOER_WRK_SCRIPT:-bench/load/turns.lua}" "http://127.0.0.1:$port" | tail -n 20 | tee "$data/wrk.txt"
ticks=$(( $(cpu_ticks) - before ))
turns=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$data/wrk.txt")
echo "server cpu $(( ticks * 1000000 / $(getconf CLK_TCK) / (turns > 0 ? turns : 1) )) us/turn ($turns turns)"
