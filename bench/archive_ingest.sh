#!/usr/bin/env bash
# esmond-ps-archive speed: bulk-PUT ingest of generated perfSONAR data with and
# without the usual summaries registered, a 1,000-point histogram data page and
# the metadata listing of 150 tests (wrk, 2 connections). With a baseline (a git
# revision, default main) its esmond-ps-archive is built in a temp dir and
# measured in the same run, so the figures compare as ratios.
# Reads are measured in three rounds per server, the best counting.
#     bash bench/archive_ingest.sh [--pairs N] [--days D] [--baseline REV | --no-baseline] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=5 days=7 baseline=main seconds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --no-baseline) baseline=""; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--pairs N] [--days D] [--baseline REV | --no-baseline] [--seconds S]" >&2; exit 2 ;;
  esac
done
bin=${ESM_BIN:-build/bin}  # where the programs were built
command -v wrk >/dev/null || { echo "archive_ingest.sh: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-ingest-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

servers=("new=$bin/esmond-ps-archive")
if [ -n "$baseline" ]; then
  echo "building esmond-ps-archive of $baseline ..." >&2
  mkdir "$tmp/base-src"
  git archive "$baseline" | tar -x -C "$tmp/base-src"
  cmake -S "$tmp/base-src" -B "$tmp/base-build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESM_TESTS=OFF >/dev/null
  nice cmake --build "$tmp/base-build" --target esmond-ps-archive >/dev/null
  servers+=("old=$tmp/base-build/bin/esmond-ps-archive")
fi

"$bin/esmond-sample-data" --out "$tmp/data" --pairs "$pairs" --days "$days" >&2
"$bin/esmond-sample-data" --out "$tmp/gen150" --pairs 50 --days 1 >/dev/null 2>&1
mkdir "$tmp/md150" && cp "$tmp/gen150/metadata.json" "$tmp/md150/"  # 150 tests, metadata only

export ESMOND_KEY=bench-key  # read by bulk_ingest.py from the environment
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
start() {  # start BINARY DB [ARGS...]: the server's URL in $url, its pid last in pids
  local exe=$1 db=$2
  shift 2
  rm -f "$tmp/out"
  "$exe" --db "$db" --listen 127.0.0.1:0 --token "bench:$ESMOND_KEY" "$@" >"$tmp/out" 2>"$tmp/err" &
  pids+=($!)
  for _ in $(seq 600); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
  [ -n "$url" ] || { cat "$tmp/err" >&2; exit 1; }
}
stop_all() { for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done; pids=(); }
best() {  # best KEY VALUE: keeps the highest figure of the rounds
  awk -v a="${fig[$1]:-0}" -v b="$2" 'BEGIN { exit !(b > a) }' && fig[$1]=$2 || true
}
declare -A fig urls

# Ingest: the servers take turns; each keeps its database for the reads below.
for mode in summaries plain; do
  flag=""; [ "$mode" = plain ] && flag=--no-summaries
  for s in "${servers[@]}"; do
    name=${s%%=*} exe=${s#*=}
    start "$exe" "$tmp/$name.$mode.db"
    line=$(python3 bench/lib/bulk_ingest.py "$url" "$tmp/data" $flag)
    fig[$name.ingest.$mode]=$(awk '{print $8}' <<<"$line")
    fig[$name.client.$mode]=$(awk '{printf "%.1f", 100 * $10 / $6}' <<<"$line")  # client CPU, % of the time
    fig[points]=$(awk '{print $2}' <<<"$line")
    fig[requests]=$(awk '{print $4}' <<<"$line")
    stop_all
  done
done

subject=$(python3 - "$tmp/data/metadata.json" <<'PY'
import json, sys, urllib.parse
md = next(m for m in json.load(open(sys.argv[1]))
          if any(e["event-type"] == "histogram-owdelay" for e in m["event-types"]))
print(urllib.parse.urlencode({"source": md["source"], "destination": md["destination"]}))
PY
)
# Reads: every server up at once, wrk rounds taking turns, the best round counts
# (the machine is shared; turns spread its load over both sides).
for s in "${servers[@]}"; do
  name=${s%%=*} exe=${s#*=}
  start "$exe" "$tmp/$name.summaries.db"
  # The densest series: the first latency test's one-way delay, 1,000 points a page
  # (found by its subject: each server gave the test a key of its own).
  key=$(curl -s "$url/esmond/perfsonar/archive/?event-type=histogram-owdelay&$subject" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["metadata-key"])')
  urls[$name.page]="$url/esmond/perfsonar/archive/$key/histogram-owdelay/base?time-start=0&limit=1000"
  start "$exe" "$tmp/$name.md150.db" --import "$tmp/md150"
  urls[$name.list]="$url/esmond/perfsonar/archive/"
done
fig[page.bytes]=$(curl -s "${urls[new.page]}" | wc -c)
if [ -n "$baseline" ] && ! cmp -s <(curl -s "${urls[new.page]}") <(curl -s "${urls[old.page]}"); then
  echo "archive_ingest.sh: the servers' data pages differ" >&2
  exit 1
fi
fig[list.bytes]=$(curl -s "${urls[new.list]}" | wc -c)
for _ in 1 2 3; do
  for s in "${servers[@]}"; do
    name=${s%%=*}
    for what in page list; do
      best "$name.$what" "$(wrk -t2 -c2 -d"${seconds}s" "${urls[$name.$what]}" | sed -n 's/^Requests\/sec: *//p')"
    done
  done
done
stop_all

ratio() { [ -n "$baseline" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "  (%.2fx %s)", a / b, "'"$baseline"'" }'; true; }
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d)"
echo "data: esmond-sample-data --pairs $pairs --days $days: ${fig[points]} points in ${fig[requests]} bulk PUTs"
printf 'ingest with summaries:    %8.0f points/s%s, client CPU %s%% of it\n' "${fig[new.ingest.summaries]}" \
  "$(ratio "${fig[new.ingest.summaries]}" "${fig[old.ingest.summaries]:-1}")" "${fig[new.client.summaries]}"
printf 'ingest without summaries: %8.0f points/s%s, client CPU %s%% of it\n' "${fig[new.ingest.plain]}" \
  "$(ratio "${fig[new.ingest.plain]}" "${fig[old.ingest.plain]:-1}")" "${fig[new.client.plain]}"
printf 'data page (1,000 histograms, %s bytes): %8.0f requests/s%s\n' "${fig[page.bytes]}" "${fig[new.page]}" \
  "$(ratio "${fig[new.page]}" "${fig[old.page]:-1}")"
printf 'metadata listing (150 tests, %s bytes):  %8.0f requests/s%s\n' "${fig[list.bytes]}" "${fig[new.list]}" \
  "$(ratio "${fig[new.list]}" "${fig[old.list]:-1}")"
if [ -n "$baseline" ]; then
  printf '%s: ingest %.0f / %.0f points/s (summaries / none), data page %.0f, listing %.0f requests/s\n' "$baseline" \
    "${fig[old.ingest.summaries]}" "${fig[old.ingest.plain]}" "${fig[old.page]}" "${fig[old.list]}"
fi
