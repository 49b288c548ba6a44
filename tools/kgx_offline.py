"""Run the real ``kgx`` command line with no network: ``python tools/kgx_offline.py [--prefixes
FILE] KGX-ARGS...``, in the venv tools/install-kgx.sh makes (build/kgx-venv).

kgx and its ``bmt`` fetch the Biolink model, the predicate map and JSON-LD contexts from the
network when imported and when validating. Everything they need is installed instead:

* bmt's ``Toolkit`` is given the schema the ``biolink-model`` package ships
  (``biolink_model/schema/biolink_model.yaml``) and an empty predicate map (a mapping: bmt uses it
  only to map other vocabularies' predicates to Biolink, which kgx validate does not ask);
* kgx's ``jsonld_context_map`` is filled before use: ``biolink`` with the model's own prefix map
  (``biolink_model/prefixmaps/biolink-model-prefix-map.json``: the schema's ``prefixes`` and those
  of its default CURIE maps, as the model's published JSON-LD context has them),
  ``monarch_context`` and ``obo_context`` (kgx's fallbacks for CURIE expansion) with the
  ``prefixmaps`` package's ``merged`` and ``obo`` maps.

``--prefixes FILE`` (a JSON map, as paperkg's KGX export writes in ``prefixes.json``) adds the
prefixes a graph declares for its own ids to the Biolink context that ``kgx validate`` checks
ids against. Any attempt to reach another host fails loudly, so a run that passes here is offline.
"""

from __future__ import annotations

import json
import socket
import sys
from importlib import resources
from typing import Any

_REFUSED = "kgx_offline: no network (a kgx or bmt download was attempted: {})"


def _no_network() -> None:
    """Make every connection to a host other than this one fail."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(_REFUSED.format(address))
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError(_REFUSED.format(host))

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo


def main(argv: list[str]) -> None:
    extra: dict[str, str] = {}
    if argv[:1] == ["--prefixes"]:
        with open(argv[1], encoding="utf-8") as stream:
            extra = json.load(stream)
        argv = argv[2:]
    _no_network()
    model = resources.files("biolink_model")
    schema = model / "schema" / "biolink_model.yaml"
    prefixes = json.loads(
        (model / "prefixmaps" / "biolink-model-prefix-map.json").read_text(encoding="utf-8")
    )

    import bmt.toolkit

    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(schema), {"predicate mappings": []})

    import kgx.config
    from prefixmaps import load_context

    kgx.config.jsonld_context_map["biolink"] = {**prefixes, **extra}
    kgx.config.jsonld_context_map["monarch_context"] = load_context("merged").as_dict()
    kgx.config.jsonld_context_map["obo_context"] = load_context("obo").as_dict()

    from kgx.cli import cli

    cli.main(args=argv, prog_name="kgx")


if __name__ == "__main__":
    main(sys.argv[1:])
