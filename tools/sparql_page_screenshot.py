"""Screenshot the query page of ``paperkg serve`` with a named query's answer shown.

Serves a built store on a free local port, has headless Chromium open the page with
drugs-tried-for run for fibromyalgia, and saves the PNG (``make docs-images`` writes
``docs/img/sparql-page.png`` so)::

    python tools/sparql_page_screenshot.py --store build/docs-store --chromium chromium \
        -o docs/img/sparql-page.png
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import screenshot

from paperkg.serve import make_server
from paperkg.store import PaperStore

#: What the page shows: a named query with its parameter, run (see serve_assets/sparql.js).
PAGE = "/?named=drugs-tried-for&condition=fibromyalgia&run=1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a built paperkg store")
    parser.add_argument("--chromium", default="chromium", help="the Chromium to run")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--size", default="1400,960", help="window WIDTH,HEIGHT")
    args = parser.parse_args(argv)
    # The server logs each request on stderr: kept out of the way, shown only if it went wrong.
    log = io.StringIO()
    with PaperStore.open_existing(args.store) as store, contextlib.redirect_stderr(log):
        server = make_server(store, port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            failed = screenshot(args.chromium, server.url + PAGE, args.output, size=args.size)
        finally:
            server.shutdown()
            server.server_close()
    if failed is not None:
        print(log.getvalue()[-2000:], file=sys.stderr)
        print(failed, file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
