#!/usr/bin/env bash
# Builds the Debian packages (debian/) with `dpkg-buildpackage -us -uc -b` in a
# copy of the source tree, installs them with `apt install ./*.deb`, runs the
# installed programs and an example built against libesmond-dev, then purges
# them. Needs root; scripts/check.sh runs it once per CI run (it does not
# depend on a build directory). The work tree is left as it was.
#     bash tests/packaging/deb.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
packages=(libesmond0 libesmond-dev esmond-client-tools esmond-ps-archive)
export DEBIAN_FRONTEND=noninteractive

for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    echo "deb.sh: $p is already installed; this test installs and purges it, so purge it first" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/esmond-deb.XXXXXX")
installed=0
built=()
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ "$installed" -eq 1 ]; then apt-get purge -y -q "${built[@]}" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

tree_state() { git -C "$root" status --porcelain --ignored 2>/dev/null || true; }
before=$(tree_state)

echo "==> copying the source tree"
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
src="$work/esmond-client-c-$version"
mkdir "$src"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  # tracked and new files as they are in the work tree, no build directories
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$src"
else
  tar -C "$root" --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi

echo "==> dpkg-buildpackage -us -uc -b (nocheck)"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" nice dpkg-buildpackage -us -uc -b) \
  >"$work/build.log" 2>&1 || { tail -n 60 "$work/build.log" >&2; exit 1; }
cd "$work"
debs=(*.deb)
ls -1 "${debs[@]}"
for p in "${packages[@]}"; do
  [ -f "${p}_${version}_$(dpkg --print-architecture).deb" ] || { echo "deb.sh: no package $p" >&2; exit 1; }
done
built=()
for d in "${debs[@]}"; do built+=("$(dpkg-deb -f "$d" Package)"); done # with the -dbgsym ones
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 ./*.changes || true # advisory
fi

echo "==> apt install ./*.deb"
installed=1
apt-get install -y -q --no-install-recommends "${debs[@]/#/./}" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; exit 1; }
dpkg-query -W "${built[@]}"

echo "==> what contrib/ brings: units, the archive's user and key file, completion, logrotate example"
for f in /lib/systemd/system/esmond-ps-archive.service /lib/systemd/system/esmond-ps-load-gridftp.service \
         /lib/systemd/system/esmond-ps-load-gridftp.timer /lib/systemd/system/esmond-ps-harvest.timer \
         /usr/bin/esmond-ps-harvest /usr/lib/sysusers.d/esmond-ps-archive.conf \
         /usr/share/bash-completion/completions/esmond-ps-get-bulk \
         /usr/share/doc/esmond-client-tools/examples/esmond-ps-load-gridftp; do
  [ -e "$f" ] || { echo "deb.sh: not installed: $f" >&2; exit 1; }
done
getent passwd esmond-archive >/dev/null || { echo "deb.sh: no user esmond-archive" >&2; exit 1; }
[ "$(stat -c '%U %a' /etc/esmond-ps-archive/tokens)" = "esmond-archive 600" ] ||
  { echo "deb.sh: /etc/esmond-ps-archive/tokens: $(stat -c '%U %a' /etc/esmond-ps-archive/tokens 2>&1)" >&2; exit 1; }

echo "==> esmond-ps-get-endpoints -L"
/usr/bin/esmond-ps-get-endpoints -L >"$work/types.txt"
grep -Eq '^ +throughput$' "$work/types.txt" || { echo "deb.sh: -L does not list throughput" >&2; exit 1; }
wc -l <"$work/types.txt"

echo "==> esmond-ps-archive --version"
/usr/bin/esmond-ps-archive --version | tee "$work/version.txt"
grep -qx "esmond-ps-archive $version" "$work/version.txt"

echo "==> the installed archive, tools and library together"
esmond-sample-data --out "$work/sample" --pairs 1 --start 1700006400
esmond-ps-archive --db "$work/archive.db" --import "$work/sample" --listen 127.0.0.1:0 \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^listening on //p' "$work/server.out")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "deb.sh: the archive did not start" >&2; exit 1; }
esmond-ps-get-endpoints --url "$url" --ip -S 2023-11-15 -E 2023-11-16 >"$work/endpoints.txt"
tools=$(grep -c '^tool_name: ' "$work/endpoints.txt")
echo "esmond-ps-get-endpoints: $tools tests"
[ "$tools" -eq 3 ]
cc "$root/examples/list_tests.c" $(pkg-config --cflags --libs libesmond) -o "$work/list_tests"
readelf -d "$work/list_tests" | grep -q 'NEEDED.*libesmond\.so\.0'
"$work/list_tests" "$url" >"$work/list_tests.txt"
echo "list_tests (libesmond-dev, pkg-config): $(grep -vc '^ ' "$work/list_tests.txt") tests"
[ "$(grep -vc '^ ' "$work/list_tests.txt")" -eq 3 ]
kill "$server_pid"
wait "$server_pid"
server_pid=""

echo "==> apt-get purge"
apt-get purge -y -q "${built[@]}" >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; exit 1; }
installed=0
for p in "${built[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    echo "deb.sh: $p is still installed" >&2
    exit 1
  fi
done
[ ! -e /usr/bin/esmond-ps-archive ] && [ ! -e /usr/include/esmond/esmond.h ]
[ ! -e /etc/esmond-ps-archive/tokens ] || { echo "deb.sh: purge left /etc/esmond-ps-archive/tokens" >&2; exit 1; }

[ "$(tree_state)" = "$before" ] || { echo "deb.sh: the work tree changed" >&2; exit 1; }
echo "deb.sh: OK - built, installed, ran and purged ${packages[*]}"
