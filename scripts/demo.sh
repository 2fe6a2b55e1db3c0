#!/usr/bin/env bash
# Demo: installs the dependencies, builds every target, generates a day of
# sample perfSONAR data (3 host pairs: latency, throughput, traceroute), imports
# it into a local esmond-ps-archive on 127.0.0.1, shows some of it through the
# tools and the esmond REST API with curl, loads a small GridFTP transfer log
# with esmond-ps-load-gridftp, and stops the server.
#
# Usage (as root on a fresh Debian 12 machine, from any directory):
#     bash scripts/demo.sh                  # run the demo and clean up
#     bash scripts/demo.sh --keep           # leave the archive running afterwards
#     bash scripts/demo.sh --build-dir DIR  # build into DIR instead of build/
#     bash scripts/demo.sh --no-build       # use the programs already built in the
#                                           # build directory (no install, no build)
set -euo pipefail

keep=0
build_steps=1
build="" # default: build/ in the repository
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --no-build) build_steps=0 ;;
    --build-dir)
      [ $# -ge 2 ] || { echo "demo.sh: --build-dir needs a directory" >&2; exit 2; }
      build=$2
      shift ;;
    -h|--help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
      exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$build" in
  "" | /*) ;;
  *) build="$PWD/$build" ;; # relative to where the script was started
esac

cd "$(dirname "$0")/.."
root=$(pwd)
build=${build:-$root/build}
bin="$build/bin"

tmp=""
server_pid=""
kept=0
cleanup() {
  if [ "$kept" -eq 1 ]; then
    return
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$tmp" ]; then
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n==> %s\n' "$*"; }

if [ "$build_steps" -eq 1 ]; then
  say "Installing dependencies"
  bash scripts/install-deps.sh
  echo "all present"

  say "Building every target (programs, examples, man pages) in $build"
  generator=()
  [ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja) # keep the generator of an existing build
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build"
else
  say "Installing dependencies and building: skipped (--no-build), using $build"
fi
for f in "$bin/esmond-ps-archive" "$bin/esmond-sample-data" "$bin/esmond-ps-get-endpoints" \
  "$bin/esmond-ps-get" "$bin/esmond-ps-load-gridftp"; do
  [ -x "$f" ] || { echo "demo.sh: $f is missing (build first, or leave out --no-build)" >&2; exit 1; }
done
echo "programs: $(cd "$bin" && echo esmond-*)"
if [ -d "$build/examples" ]; then echo "examples: $(cd "$build/examples" && echo example_*)"; fi
if [ -d "$build/man" ]; then echo "man pages: $(cd "$build/man" && echo *.[0-9])"; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/esmond-demo.XXXXXX")

# Yesterday, 00:00 UTC: the day of data ends at today's midnight, so it looks recent.
start=$(( $(date -u -d 'today 00:00' +%s) - 86400 ))
say "Generating one day of sample data from $(date -u -d "@$start" '+%Y-%m-%d %H:%M UTC')"
"$bin/esmond-sample-data" --out "$tmp/sample" --start "$start"

say "Importing it and starting esmond-ps-archive on 127.0.0.1"
launcher=()
if [ "$keep" -eq 1 ]; then
  launcher=(nohup) # the server outlives this script and its terminal
fi
# the writer's key, private to us: the archive reads it, and so does the loader (--key-file)
(umask 077 && printf 'demo:%s\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$tmp/tokens")
"${launcher[@]}" "$bin/esmond-ps-archive" --db "$tmp/archive.db" --import "$tmp/sample" \
  --token-file "$tmp/tokens" --listen 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

url=""
for _ in $(seq 1 600); do # up to 60 s
  url=$(sed -n 's/^listening on //p' "$tmp/server.out")
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo.sh: esmond-ps-archive exited before it was ready:" >&2
    cat "$tmp/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "demo.sh: esmond-ps-archive did not report 'listening on' within 60 s" >&2
  cat "$tmp/server.err" >&2
  exit 1
fi
cat "$tmp/server.err"
echo "listening on $url (pid $server_pid)"
api="$url/esmond/perfsonar/archive"

get() {
  curl -fsS --max-time 30 "$1"
}

# A small viewer for the JSON answers: show MODE < answer.json
cat >"$tmp/show.py" <<'PY'
import json
import sys

mode, doc = sys.argv[1], json.load(sys.stdin)
if mode == "metadata":
    for m in doc:
        print("%s  %-22s %s -> %s" % (m["metadata-key"], m["tool-name"], m["source"], m["destination"]))
        print("    " + ", ".join(e["event-type"] for e in m["event-types"]))
elif mode in ("key", "src", "dst"):  # of the first test whose tool-name is sys.argv[2]
    m = next(m for m in doc if m["tool-name"] == sys.argv[2])
    print(m[{"key": "metadata-key", "src": "source", "dst": "destination"}[mode]])
elif mode == "trace":
    p = doc[0]
    print("ts %d:" % p["ts"])
    for h in p["val"]:
        if h.get("success"):
            print("  %2d  %-20s %8.3f ms  mtu %s" % (h["ttl"], h["ip"], float(h["rtt"]), h.get("mtu")))
        else:
            print("  %2d  *  (%s)" % (h["ttl"], h.get("error-message", "no reply")))
else:
    print(json.dumps(doc, indent=2))
PY
show() { python3 "$tmp/show.py" "$@"; }

say "Metadata: GET $api/"
get "$api/" >"$tmp/metadata.json"
show metadata <"$tmp/metadata.json"

lat=$(show key pscheduler/powstream <"$tmp/metadata.json")
bw=$(show key pscheduler/iperf3 <"$tmp/metadata.json")
tr=$(show key pscheduler/traceroute <"$tmp/metadata.json")

# The same data through the esmond-ps-* tools (the Python tools' options and output).
day_start=$(date -u -d "@$start" '+%Y-%m-%d')
day_end="$day_start 23:59:59"
src=$(show src pscheduler/iperf3 <"$tmp/metadata.json")
dst=$(show dst pscheduler/iperf3 <"$tmp/metadata.json")

say "The tests, through esmond-ps-get-endpoints:"
echo "esmond-ps-get-endpoints --url $url --ip -S $day_start -E '$day_end'"
"$bin/esmond-ps-get-endpoints" --url "$url" --ip -S "$day_start" -E "$day_end"

say "Throughput $src -> $dst, through esmond-ps-get:"
echo "esmond-ps-get --url $url --ip -s $src -d $dst -e throughput -S $day_start -E '$day_end'"
"$bin/esmond-ps-get" --url "$url" --ip -s "$src" -d "$dst" -e throughput -S "$day_start" -E "$day_end"

lsrc=$(show src pscheduler/powstream <"$tmp/metadata.json")
ldst=$(show dst pscheduler/powstream <"$tmp/metadata.json")
say "Hourly one-way delay statistics (computed by the archive on import), as CSV (first rows):"
echo "esmond-ps-get --url $url --ip -s $lsrc -d $ldst -e histogram-owdelay -T statistics -W 3600 -S $day_start -E '$day_end' -o csv"
"$bin/esmond-ps-get" --url "$url" --ip -s "$lsrc" -d "$ldst" -e histogram-owdelay -T statistics -W 3600 \
  -S "$day_start" -E "$day_end" -o csv >"$tmp/stats.csv"
head -n 5 "$tmp/stats.csv"

say "And the raw REST API, one packet trace with curl:"
echo "GET $api/$tr/packet-trace/base?limit=1"
get "$api/$tr/packet-trace/base?limit=1" | show trace

say "Loading a GridFTP transfer log (generated, about 40 lines) with esmond-ps-load-gridftp:"
python3 "$root/bench/gen/gridftp_log.py" "$tmp/gridftp.log" --mb 0.013
echo "esmond-ps-load-gridftp -f gridftp.log -U $url -s esmond --key-file tokens -p gridftp.state"
(cd "$tmp" && "$bin/esmond-ps-load-gridftp" -f gridftp.log -U "$url" -s esmond --key-file tokens -p gridftp.state)
echo "esmond-ps-get-endpoints --url $url --ip -t gridftp (first rows)"
# into a file first: head on a pipe would end the tool with SIGPIPE
"$bin/esmond-ps-get-endpoints" --url "$url" --ip -t gridftp >"$tmp/gridftp-tests.txt"
head -n 6 "$tmp/gridftp-tests.txt"
say "Run again, it reads only what is new (nothing):"
(cd "$tmp" && "$bin/esmond-ps-load-gridftp" -f gridftp.log -U "$url" -s esmond --key-file tokens -p gridftp.state)

if [ "$keep" -eq 1 ]; then
  kept=1
  say "The archive keeps running"
  echo "URL:      $api/"
  echo "Database: $tmp/archive.db"
  echo "Stop it:  kill $server_pid && rm -rf $tmp"
  exit 0
fi

say "Stopping the archive (pid $server_pid)"
kill "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if [ "$status" -ne 0 ]; then
  echo "demo.sh: esmond-ps-archive exited with status $status:" >&2
  cat "$tmp/server.err" >&2
  exit 1
fi
echo "stopped (exit status 0); the demo is done"
