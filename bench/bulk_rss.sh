#!/usr/bin/env bash
# Peak memory (RSS, /usr/bin/time -v) of a full esmond-ps-get-bulk export at
# two archive sizes 10x apart: esmond-sample-data --days 7 with 5 and with 50
# pairs, imported into a local esmond-ps-archive, exported with -j 1 and with
# the default -j. Flat memory means the tool holds a page per reader, not the
# series or the export.
#     bash bench/bulk_rss.sh [FORMAT]      (json, the default, or csv)
set -euo pipefail
cd "$(dirname "$0")/.."
format=${1:-json}
bin=${ESM_BIN:-build/bin}  # where the programs were built
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-bulk-rss.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

for pairs in 5 50; do
  "$bin/esmond-sample-data" --out "$tmp/gen" --pairs "$pairs" --days 7 --force >/dev/null
  rm -f "$tmp"/db*
  "$bin/esmond-ps-archive" --db "$tmp/db" --import "$tmp/gen" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 6000); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
  [ -n "$url" ] || { cat "$tmp/err"; exit 1; }
  points=$(sed -n 's/^imported [0-9]* metadata, \([0-9]*\) points.*/\1/p' "$tmp/err")
  for jobs in 1 default; do
    rm -rf "$tmp/export" && mkdir "$tmp/export"
    opt=(); [ "$jobs" = default ] || opt=(-j "$jobs")
    # the data start 2023-11-15 and last 7 days
    /usr/bin/time -v -o "$tmp/time" "$bin/esmond-ps-get-bulk" --url "$url" --ip -S 2023-11-14 -E 2023-11-23 \
      -o "$format" -D "$tmp/export" "${opt[@]}" >"$tmp/stdout"
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
    printf '%2d pairs (%8d points), -o %s, -j %-7s: peak RSS %6.1f MB, wall %s, %d files, %d MB\n' \
      "$pairs" "$points" "$format" "$jobs" "$(awk "BEGIN { print $rss / 1024 }")" "$wall" \
      "$(ls "$tmp/export" | wc -l)" "$(du -sm "$tmp/export" | cut -f1)"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
