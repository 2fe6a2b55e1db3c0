#!/usr/bin/env bash
# esmond-ps-load-gridftp on a big GridFTP log (default 100 MB, made by
# bench/gen/gridftp_log.py) against a local esmond-ps-archive: the first run,
# which stores every transfer, then a rerun on the unchanged log, which must
# read nothing (its summary line counts the bytes read), then a run after
# 1,000 records were appended. Reported as times, bytes read and the ratio of
# the rerun to merely reading the log once (cat), all in this one run.
#     bash bench/gridftp_rerun.sh [MB]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-100}
bin=$(cd "${ESM_BIN:-build/bin}" && pwd)  # where the programs were built
gen=$(pwd)/bench/gen/gridftp_log.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-gridftp-bench.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"

python3 "$gen" log --mb "$mb"
"$bin/esmond-ps-archive" --db db --listen 127.0.0.1:0 --token bench:KEY >out 2>/dev/null &
pid=$!
for _ in $(seq 600); do grep -q listening out && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' out)
[ -n "$url" ] || { echo "the archive did not start" >&2; exit 1; }

now() { date +%s.%N; }
load() {  # one run; prints its wall time and its summary line
  local t0 t1
  t0=$(now)
  "$bin/esmond-ps-load-gridftp" -U "$url" -s esmond -u bench -k KEY -P -f log 2>err || true
  t1=$(now)
  printf '%-28s %8.3f s   %s\n' "$1" "$(echo "$t1 - $t0" | bc)" "$(sed -n 's/.*event=main.end id=[0-9]* //p' err)"
}
size=$(stat -c %s log)
echo "log: $size bytes, $(wc -l <log) lines"
load "first run"
load "rerun, log unchanged"
t0=$(now); cat log >/dev/null; t1=$(now)
printf '%-28s %8.3f s\n' "reading the log once (cat)" "$(echo "$t1 - $t0" | bc)"
python3 "$gen" more --mb 0.5 --seed 2 && head -n 1000 more >>log
load "after 1,000 new records"
echo "state file: $(stat -c %s load_grid_ftp.pickle) bytes"
