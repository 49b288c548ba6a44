#!/usr/bin/env bash
# The kgx command line the KGX export is tested with (tests/test_export_kgx.py), in its own venv
# (build/kgx-venv, or $PAPERKG_KGX_VENV), from the exact pins of requirements/kgx.txt: kgx pulls
# in ~130 packages paperkg does not need. Reinstalls only when the pins change. kgx itself is run
# offline by tools/kgx_offline.py (it would otherwise download the Biolink model).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PAPERKG_KGX_VENV:-build/kgx-venv}"
pins=requirements/kgx.txt
stamp="$venv/.paperkg-kgx-installed"
python="${PYTHON:-python3}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum "$pins" | cut -d' ' -f1)" ]; then
    exit 0
fi
echo "installing kgx for the tests into $venv ($pins)"
mkdir -p "$(dirname "$venv")"
test -x "$venv/bin/python" || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins"
"$venv/bin/python" -c 'import kgx, bmt, biolink_model, prefixmaps'
sha256sum "$pins" | cut -d' ' -f1 > "$stamp"
