#!/usr/bin/env bash
# Export speed of the data tools against curl fetching the same URLs.
#     bash bench/export_speed.sh [LARGE_PAIRS [SMALL_PAIRS [DAYS]]]   (default 50 5 7)
# Two generated archives (esmond-sample-data, LARGE_PAIRS and SMALL_PAIRS host
# pairs over DAYS days; 50 x 7 is about 3.5 million points: about 10 s to
# generate and 2-3 minutes to import on a 2-core machine), each imported into
# a temporary esmond-ps-archive on 127.0.0.1. On each archive it times
#   - esmond-ps-get on the densest one-week series (json, csv and human; large archive only),
#   - esmond-ps-get-bulk's full export (json and csv; -j 1 and the default -j
#     when the tool has --jobs),
# and for each run the floor: curl fetching exactly the URLs the tool requested
# (its -v "GET URL" lines), one process with kept-alive connections, output
# discarded (curl -Z --parallel-max N for the parallel runs), and for get the
# CPU time of yajl alone parsing the same pages. It prints wall
# time, user+system CPU, peak RSS and request counts, and ours/floor ratios
# (targets: get and get-bulk -j 1 <= 1.5x the sequential floor, get-bulk
# default -j <= 1.5x the parallel floor, peak RSS < 32 MB).
# ESM_BASE_BIN=DIR also runs the tools built in DIR (say, an older build) and
# prints their user CPU beside ours. ESM_PY_TOOLS=DIR runs the original Python
# esmond-ps-get and esmond-ps-get-bulk found in DIR (esmond-client 4.2.1, as
# installed by its user; nothing of it is in this project) on the same queries
# and prints their user CPU over ours (target: at least 5); get's output is
# compared with ours byte for byte. Python's human output is slow (minutes for
# the densest series), so it is timed for get only. Then
# bench/archive_ingest.sh with the options in ESM_INGEST_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
large=${1:-50}
small=${2:-5}
days=${3:-7}
bin=${ESM_BIN:-build/bin}  # where the programs were built
base_bin=${ESM_BASE_BIN:-}
py_tools=${ESM_PY_TOOLS:-}
start=1700006400           # the generator's default start, 2023-11-15 00:00 UTC
end=$((start + days * 86400))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/esm-export-bench.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

for tool in esmond-sample-data esmond-ps-archive esmond-ps-get esmond-ps-get-bulk esmond-bench-yajl-floor; do
    [ -x "$bin/$tool" ] || { echo "export_speed: $bin/$tool not built" >&2; exit 1; }
done
command -v curl >/dev/null && [ -x /usr/bin/time ] || { echo "export_speed: needs curl and /usr/bin/time" >&2; exit 1; }
if [ -n "$py_tools" ]; then
    for tool in esmond-ps-get esmond-ps-get-bulk; do
        [ -x "$py_tools/$tool" ] || { echo "export_speed: $py_tools/$tool is not there" >&2; exit 1; }
    done
fi
# 4.2.1 takes no epoch seconds for times: ISO 8601, read as UTC (TZ=UTC below)
iso_start=$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%S)
iso_end=$(date -u -d "@$end" +%Y-%m-%dT%H:%M:%S)

# The default -j of get-bulk when it has --jobs (the issue's "small number"), else none.
jobs_default=""
if "$bin/esmond-ps-get-bulk" --jobs 1 --help >/dev/null 2>&1; then
    jobs_default=$(sed -n 's/^#define ESM_PSOPTS_JOBS_DEFAULT \([0-9]*\).*/\1/p' src/tools/common/psopts.h)
    jobs_default=${jobs_default:-4}
fi

# serve NAME PAIRS: generates, imports and serves an archive; sets $url.
serve() {
    local name=$1 pairs=$2 t0 t1
    t0=$(date +%s.%N)
    "$bin/esmond-sample-data" --out "$tmp/$name" --pairs "$pairs" --days "$days" >/dev/null
    t1=$(date +%s.%N)
    "$bin/esmond-ps-archive" --db "$tmp/$name.db" --import "$tmp/$name" --listen 127.0.0.1:0 \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    local pid=$!
    pids+=("$pid")
    # the import comes first: wait as long as it runs
    while ! grep -qs listening "$tmp/$name.out" && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    url=$(sed -n 's/^listening on //p' "$tmp/$name.out")
    [ -n "$url" ] || { echo "export_speed: the archive did not start" >&2; cat "$tmp/$name.err" >&2; exit 1; }
    printf '%s: %d pairs x %d days, %s points; generated in %.1f s, imported in %.1f s\n' "$name" "$pairs" \
        "$days" "$(cat "$tmp/$name.out" "$tmp/$name.err" | sed -n 's/^imported [0-9]* metadata, \([0-9]*\) points.*/\1/p')" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$(date +%s.%N) - $t1" | bc)"
}

# measure LABEL OUTFILE CMD...: runs CMD under /usr/bin/time; sets wall, cpu, rss (KB).
measure() {
    local label=$1 out=$2
    shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/$label.err" ||
        { echo "export_speed: $label failed" >&2; tail -5 "$tmp/$label.err" >&2; exit 1; }
    read -r wall user sys rss <"$tmp/time"
    cpu=$(echo "$user + $sys" | bc)
    ucpu=$user
}

# request_urls LABEL: the URLs the run LABEL requested (its -v "GET URL" lines).
request_urls() { sed -n 's/^GET //p' "$tmp/$1.err"; }

# empty_dir DIR: DIR there and empty, for the next export into it.
empty_dir() {
    rm -rf "$1"
    mkdir -p "$1"
}

# floor LABEL PARALLEL: curl fetching the URLs of $tmp/LABEL.err; sets fwall, fcpu, nreq.
floor() {
    local label=$1 par=$2
    request_urls "$label" | sed 's/.*/url = "&"\noutput = "\/dev\/null"/' >"$tmp/$label.curl"
    nreq=$(grep -c '^url' "$tmp/$label.curl")
    local opts=(-s -K "$tmp/$label.curl")
    [ "$par" -gt 1 ] && opts=(-s --no-progress-meter -Z --parallel-max "$par" -K "$tmp/$label.curl")
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" curl "${opts[@]}"
    read -r fwall fuser fsys _ <"$tmp/time"
    fcpu=$(echo "$fuser + $fsys" | bc)
}

ratio() { printf '%.2f' "$(echo "scale=4; $1 / ($2 + 0.0001)" | bc)"; }

header() {
    printf '%-34s %7s %7s %7s %7s %6s %6s %7s %8s %8s\n' run wall cpu rss_MB requests floor_w floor_c wall/fl \
        "$([ -n "$base_bin" ] && echo base_usr/ours)" "$([ -n "$py_tools" ] && echo py_usr/ours)"
}

# report LABEL PARALLEL [BASE_UCPU [PY_UCPU]]: one line of figures against the floor.
report() {
    local label=$1 par=$2
    floor "$label" "$par"
    local base="" py=""
    [ -n "${3:-}" ] && base=$(ratio "$3" "$ucpu")
    [ -n "${4:-}" ] && py=$(ratio "$4" "$ucpu")
    printf '%-34s %7.2f %7.2f %7.1f %7d %7.2f %6.2f %7s %8s %8s\n' "$label" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" \
        "$nreq" "$fwall" "$fcpu" "$(ratio "$wall" "$fwall")" "$base" "$py"
}

# base_user LABEL CMD...: user CPU of the same run with the tools of $base_bin ("" without it).
base_user() {
    local label=$1
    shift
    buser=""
    [ -n "$base_bin" ] || return 0
    /usr/bin/time -f '%U' -o "$tmp/btime" "$@" >/dev/null 2>&1 || return 0
    buser=$(cat "$tmp/btime")
}

# py_user OUTFILE TOOL ARGS...: user CPU of the original Python TOOL on the same
# query (ARGS in 4.2.1's spelling), its stdout in OUTFILE; sets puser ("" without
# ESM_PY_TOOLS).
py_user() {
    local out=$1 tool=$2
    shift 2
    puser=""
    [ -n "$py_tools" ] || return 0
    TZ=UTC /usr/bin/time -f '%U' -o "$tmp/ptime" "$py_tools/$tool" "$@" >"$out" 2>"$tmp/py.err" ||
        { echo "export_speed: the Python $tool failed" >&2; tail -5 "$tmp/py.err" >&2; exit 1; }
    puser=$(tail -1 "$tmp/ptime")
}

# densest NAME: "SRC DEST EVENT" of the series with the largest base data file.
densest() {
    python3 - "$tmp/$1" <<'PY'
import json, os, sys
root = sys.argv[1]
best = max(((os.path.getsize(os.path.join(d, "base.json")), d) for d, _, files in os.walk(os.path.join(root, "data"))
            if "base.json" in files))[1]
key, event = os.path.relpath(best, os.path.join(root, "data")).split(os.sep)
md = next(m for m in json.load(open(os.path.join(root, "metadata.json"))) if m["metadata-key"] == key)
print(md["source"], md["destination"], event)
PY
}

run_get() {
    local name=$1 fmt
    read -r src dest event < <(densest "$name")
    echo "esmond-ps-get: $event $src -> $dest, $days days"
    for fmt in json csv human; do
        local args=(--url "$url" --ip -s "$src" -d "$dest" -e "$event" -S "$start" -E "$end" -o "$fmt")
        local label="$name get $fmt"
        label=${label// /_}
        base_user "$label" "$base_bin/esmond-ps-get" "${args[@]}"
        py_user "$tmp/$label.py" esmond-ps-get -u "$url" -I -s "$src" -d "$dest" -e "$event" \
            -S "$iso_start" -E "$iso_end" -o "$fmt"
        measure "$label" "$tmp/$label.out" "$bin/esmond-ps-get" "${args[@]}" -v
        if [ -n "$puser" ] && ! cmp -s "$tmp/$label.py" "$tmp/$label.out"; then
            echo "export_speed: $label: our output differs from the Python tool's" >&2
            exit 1
        fi
        report "$label" 1 "$buser" "$puser"
        [ "$fmt" = json ] && get_floor=$fwall
    done
    # yajl alone on the same pages, nothing built or written: the least any yajl-based reader spends
    request_urls "$label" | sed 's/.*/url = "&"/' >"$tmp/pages.curl"
    curl -s -K "$tmp/pages.curl" >"$tmp/pages.json"
    local ysec ybytes
    read -r ysec ybytes < <("$bin/esmond-bench-yajl-floor" "$tmp/pages.json")
    printf 'yajl alone on these %s bytes of pages: %.3f s CPU, %sx the json floor\n' "$ybytes" "$ysec" \
        "$(ratio "$ysec" "$get_floor")"
}

run_bulk() {
    local name=$1 fmt j
    for fmt in json csv; do
        for j in 1 $jobs_default; do
            local jopt=()
            [ -n "$jobs_default" ] && jopt=(--jobs "$j")
            local dir="$tmp/export" label="${name}_bulk_${fmt}_j$j"
            [ -z "$jobs_default" ] && label="${name}_bulk_$fmt"
            local args=(--url "$url" --ip -S "$start" -E "$end" -o "$fmt")
            empty_dir "$dir"
            buser=""
            if [ "$j" = 1 ]; then
                base_user "$label" "$base_bin/esmond-ps-get-bulk" "${args[@]}" -D "$dir"
                empty_dir "$dir"
                # the same Python figure stands beside -j 1 and the default -j
                py_user /dev/null esmond-ps-get-bulk -u "$url" -I -S "$iso_start" -E "$iso_end" -o "$fmt" -D "$dir"
                empty_dir "$dir"
            fi
            measure "$label" "$tmp/$label.stdout" "$bin/esmond-ps-get-bulk" "${args[@]}" -D "$dir" -v "${jopt[@]}"
            report "$label" "$j" "$buser" "$puser"
        done
    done
}

echo "export_speed: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
serve large "$large"
url_large=$url
serve small "$small"
url_small=$url
header
url=$url_large
run_get large
run_bulk large
url=$url_small
run_bulk small

echo "archive ingest (bench/archive_ingest.sh):"
read -ra ingest_args <<<"${ESM_INGEST_ARGS:-}"
bash bench/archive_ingest.sh "${ingest_args[@]}"
