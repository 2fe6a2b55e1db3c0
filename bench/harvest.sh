#!/usr/bin/env bash
# esmond-ps-harvest on 10 local archives x 10 host pairs: a harvest from
# scratch of D days (all of it: --since the data's start), then an
# incremental run after one more hour of data (bench/harvest_more.py), at two
# archive sizes (default 1 and 3 days). Reports wall time, requests, peak
# RSS and points/s of each run, and the first run against curl fetching the
# same URLs (10 curls at once, one kept-alive connection each), in this run.
# The incremental run's requests should follow what is new, not the size.
#     bash bench/harvest.sh [DAYS...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 3)
bin=$(cd "${ESM_BIN:-build/bin}" && pwd)
more=$(pwd)/bench/harvest_more.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-harvest-bench.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
now() { date +%s.%N; }

# run NAME ARGS...: one harvest; prints wall, requests, peak RSS, points, points/s
run() {
  local name=$1 t0 t1
  shift
  t0=$(now)
  /usr/bin/time -f %M -o rss "$bin/esmond-ps-harvest" "$@" 2>err >/dev/null || { cat err >&2; exit 1; }
  t1=$(now)
  local wall req pts
  wall=$(echo "$t1 - $t0" | bc)
  req=$(grep -o '[0-9]* requests' err | awk '{s+=$1} END {print s}')
  pts=$(grep -o '[0-9]* points' err | awk '{s+=$1} END {print s}')
  printf '%-34s %8.3f s %7d requests %7d KiB peak RSS %9d points %10.0f points/s\n' \
    "$name" "$wall" "$req" "$(cat rss)" "$pts" "$(echo "$pts / $wall" | bc -l)"
}

for days in "${sizes[@]}"; do
  start=$(( ($(date +%s) / 86400 - days) * 86400 ))
  urls=()
  for i in $(seq 10); do
    "$bin/esmond-sample-data" --out "d$days-$i" --pairs 10 --days "$days" --start "$start" --seed "$i" >/dev/null
    "$bin/esmond-ps-archive" --db "d$days-$i.db" --import "d$days-$i" --listen 127.0.0.1:0 --token bench:KEY \
      >"a$days-$i.out" 2>"a$days-$i.err" &
    pids+=($!)
  done
  for i in $(seq 10); do
    for _ in $(seq 1200); do grep -q listening "a$days-$i.out" && grep -q imported "a$days-$i.err" && break; sleep 0.1; done
    urls+=(--url "$(sed -n 's/^listening on //p' "a$days-$i.out")")
  done
  echo "== $days day(s): 10 archives x 10 pairs"
  args=(--state "s$days" --out "o$days" --since "$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%S)" -j 10 "${urls[@]}")
  run "from scratch" "${args[@]}" -v
  # curl on the same URLs, one kept-alive connection per archive, all at once
  t0=$(now)
  for i in $(seq 10); do
    base=$(sed -n 's/^listening on //p' "a$days-$i.out")
    grep "^GET $base/" err | cut -d' ' -f2 | sed 's/.*/url = "&"\noutput = \/dev\/null/' >"curl$i.cfg"
    curl -s -K "curl$i.cfg" &
  done
  wait_for=$(jobs -p | grep -v -F -x -f <(printf '%s\n' "${pids[@]}") || true)
  for p in $wait_for; do wait "$p"; done
  t1=$(now)
  printf '%-34s %8.3f s\n' "curl, the same URLs" "$(echo "$t1 - $t0" | bc)"
  run "again, nothing new" "${args[@]}"
  added=$(python3 "$more" KEY $(printf '%s\n' "${urls[@]}" | grep -v -- --url))
  echo "one more hour: $added points added"
  run "incremental" "${args[@]}"
  for p in "${pids[@]}"; do kill "$p"; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
done
