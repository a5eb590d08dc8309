#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (its own browser download
# cannot work offline). Install Chromium when it is missing and we may; otherwise say so:
# the browser tests then skip with this same message.
set -u
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing; installing Debian's chromium for the browser tests"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; }; then
    echo "Chromium installed: $CHROMIUM"
    exit 0
  fi
fi
echo "NOTE: no Chromium at $CHROMIUM and it could not be installed (apt-get install chromium" >&2
echo "      as root); the browser tests will be skipped." >&2
exit 0
