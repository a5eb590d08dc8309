#!/usr/bin/env bash
# `make bench` drives load with wrk (Debian's package). Install it when it is missing and
# we may (root with apt-get), like scripts/browser.sh does for Chromium; otherwise say how.
set -u
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "wrk is missing; installing Debian's wrk for the benchmark"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; }; then
    echo "wrk installed: $(command -v wrk)"
    exit 0
  fi
fi
echo "bench: wrk is not installed and could not be installed (as root: apt-get install wrk)" >&2
exit 1
