"""Screenshot an HTML explorer page of ``paperkg viz`` in headless Chromium.

The fragment says what the page shows open (``make docs-images`` writes
``docs/img/explorer.png`` so, with one edge's evidence open)::

    python tools/explorer_screenshot.py docs/img/fibromyalgia.html --chromium chromium \
        --fragment select=naltrexone--fibromyalgia --size 1400,860 -o docs/img/explorer.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import screenshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="the explorer's HTML file")
    parser.add_argument("--chromium", default="chromium", help="the Chromium to run")
    parser.add_argument(
        "--fragment",
        default="",
        help='what follows "#" in the address: select=LABEL opens a node\'s panel, '
        "select=LABEL--LABEL that of the edge between two",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--size", default="1400,860", help="window WIDTH,HEIGHT")
    args = parser.parse_args(argv)
    if not args.page.is_file():
        print(f"{args.page}: no such file; write it with paperkg viz -o PAGE.html", file=sys.stderr)
        return 2
    address = args.page.resolve().as_uri() + (f"#{args.fragment}" if args.fragment else "")
    failed = screenshot(args.chromium, address, args.output, size=args.size)
    if failed is not None:
        print(failed, file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
