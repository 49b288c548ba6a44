#!/usr/bin/env bash
# What the tests need beyond Python: Debian's chromium (the HTML explorer is tested in a real
# headless browser) with a font for its labels, curl (the tutorial talks to an Oxigraph
# server with it) and Virtuoso open source (push and remote query are tested against a real
# one, started by the tests on 127.0.0.1; they skip with the reason without it). Installs
# whatever is missing; apt-get needs root or sudo.
set -euo pipefail
missing=()
if [ -z "${PAPERKG_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1; then
    missing+=(chromium fonts-dejavu-core)
fi
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
    missing+=(virtuoso-opensource)
fi
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
echo "installing ${missing[*]} for the tests (browser, tutorial, live Virtuoso)"
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
