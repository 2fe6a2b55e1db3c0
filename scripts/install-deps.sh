#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and demos with.
# Idempotent: does nothing when every package is already present. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcurl4-openssl-dev libjansson-dev libyajl-dev libmicrohttpd-dev libsqlite3-dev libc-ares-dev
  libcmocka-dev scdoc
  python3 python3-dateutil
  curl valgrind openssl iproute2
  systemd logrotate  # tests of contrib/: systemd-analyze verify of the units, a real logrotate run
  # esmond-ps-harvest publishes to RabbitMQ (rabbitmq-c); its tests start a real broker
  librabbitmq-dev rabbitmq-server
  time  # /usr/bin/time -v: peak RSS in bench/bulk_rss.sh
  bc  # bench/export_speed.sh: its sums and ratios
  # the Debian packages (debian/) and their test, tests/packaging/deb.sh
  debhelper dpkg-dev fakeroot
  wrk  # bench/archive_ingest.sh: requests/s of the archive's pages
  # the fuzz build (check.sh, build-fuzz/): clang and libFuzzer, which clang only recommends
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get install fail; refresh it when older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 -print -quit 2>/dev/null)" ]; then
  apt-get update -q
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
