#!/usr/bin/env bash
# The HTML explorer is tested in a real headless browser: Debian's chromium (and a font for the
# labels). Installs them when missing; needs root or sudo, as apt-get does.
set -euo pipefail
if [ -n "${PAPERKG_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 \
    || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "paperkg tests need a headless Chromium: install it, or set PAPERKG_CHROMIUM=/path/to/chrome" >&2
    exit 2
fi
run_as_root=""
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "paperkg tests need Debian's chromium: apt-get install chromium fonts-dejavu-core (as root)" >&2
        exit 2
    fi
    run_as_root="sudo"
fi
echo "installing Debian's chromium for the browser test of the HTML explorer"
export DEBIAN_FRONTEND=noninteractive
$run_as_root apt-get update -qq
$run_as_root apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
