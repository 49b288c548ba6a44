#!/usr/bin/env bash
# What the tests need beyond Python: Debian's chromium (the HTML explorer is tested in a real
# headless browser) with a font for its labels, and curl (the tutorial talks to an Oxigraph
# server with it). Installs whatever is missing; apt-get needs root or sudo.
set -euo pipefail
missing=()
if [ -z "${PAPERKG_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1; then
    missing+=(chromium fonts-dejavu-core)
fi
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "paperkg tests need: ${missing[*]} (or PAPERKG_CHROMIUM=/path/to/chrome); install them" >&2
    exit 2
fi
run_as_root=()
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "paperkg tests need: apt-get install ${missing[*]} (as root)" >&2
        exit 2
    fi
    run_as_root=(sudo)
fi
echo "installing ${missing[*]} for the tests (browser test of the HTML explorer, tutorial)"
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
