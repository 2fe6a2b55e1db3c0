#!/usr/bin/env bash
# Peak memory of libesmond's data iterator over a short and a long series
# (default 10,000 and 1,000,000 points) served by a local esmond-ps-archive.
# Flat memory means the iterator holds one page, not the series.
#     bash bench/iter_memory.sh [SMALL [LARGE]]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-10000}
large=${2:-1000000}
bin=${ESM_BIN:-build/bin}  # where the programs were built
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-iter-bench.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# Two throughput series of the given sizes, in the replay layout.
python3 - "$tmp/set" "$small" "$large" <<'PY'
import json, os, sys
out, sizes = sys.argv[1], [int(x) for x in sys.argv[2:]]
md = []
for i, n in enumerate(sizes):
    key = "%032x" % (i + 1)
    uri = "/esmond/perfsonar/archive/%s/" % key
    md.append({"metadata-key": key, "subject-type": "point-to-point", "source": "10.0.0.1",
               "destination": "10.0.0.%d" % (i + 2), "measurement-agent": "10.0.0.1",
               "tool-name": "bench", "input-source": "a", "input-destination": "b", "uri": uri,
               "event-types": [{"event-type": "throughput", "base-uri": uri + "throughput/base",
                                "time-updated": None, "summaries": []}]})
    d = os.path.join(out, "data", key, "throughput")
    os.makedirs(d)
    with open(os.path.join(d, "base.json"), "w") as f:
        f.write("[")
        f.write(",".join('{"ts":%d,"val":%d.0}' % (1000000 + 10 * t, 9000000000 + t) for t in range(n)))
        f.write("]")
with open(os.path.join(out, "metadata.json"), "w") as f:
    json.dump(md, f)
PY
"$bin/esmond-ps-archive" --db "$tmp/db" --import "$tmp/set" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 600); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
[ -n "$url" ] || { cat "$tmp/err"; exit 1; }
TIMEFORMAT='wall %R s'
for i in 1 2; do
  key=$(printf '%032x' "$i")
  time "$bin/esmond-bench-iter-rss" "$url" "/esmond/perfsonar/archive/$key/throughput/base"
done
