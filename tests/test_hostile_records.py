"""Incomplete and hostile records (issue 16 item 1): cut-off records are flagged, record text never
breaks the RDF written, sizes are bounded, XML never reaches out, nothing outside the sources is
read, and links in a source folder neither loop nor lead elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from paperkg.errors import RecordError
from paperkg.export import export_store
from paperkg.model import PaperRecord
from paperkg.readers import (
    MAX_ENTITIES,
    MAX_LINE_CHARS,
    MAX_RECORD_BYTES,
    expand_sources,
    parse_record,
    read_records,
)
from paperkg.store import PaperStore
from paperkg.vocab import DCTERMS, PKG

from conftest import REPO, SEEDS, SHARED, run_cli
from http_fakes import CountingHandler, serve

RECORDS = SHARED / "records"
ORIGINAL = RECORDS / "000_47468af30908e69c.txt"
INCOMPLETE = ox.NamedNode(str(PKG.incomplete))
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def _parse(text: str) -> PaperRecord:
    return parse_record(text, source="rec.txt", sha256="0" * 64)


def _flagged(store_path: Path) -> list[str]:
    with PaperStore.open_existing(store_path) as store:
        return sorted(str(q.graph_name) for q in store.quads_for_pattern(None, INCOMPLETE, TRUE))


def _one_line_errors(err: str, marker: str) -> list[str]:
    return [line for line in err.splitlines() if marker in line]


# --- 1. a record cut off -------------------------------------------------------------------------


def _cut_mid_word(text: str) -> str:
    """The original record cut inside a word of its abstract: no entity sections, no trailer."""
    at = text.index("sustained improvement") + len("sustained impr")
    return text[:at]


def test_a_record_cut_off_is_built_flagged_and_reported_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(RECORDS / "001_be81279a1f25c6c0.txt", folder / "whole.txt")
    (folder / "cut.txt").write_text(_cut_mid_word(ORIGINAL.read_text("utf-8")), encoding="utf-8")
    store = tmp_path / "kg"
    code, out, err = run_cli("--store", str(store), "build", "--workers", "1", str(folder))
    assert code == 0, err
    assert "2 built" in out
    (line,) = _one_line_errors(err, "incomplete record")
    assert line.startswith(f"warning: {folder / 'cut.txt'}:")
    for lacks in ("ends mid-word", "sustained impr')", "no entity sections", "no 'Source:' line"):
        assert lacks in line
    assert "Conforms" in err or "violation" not in err  # the flagged graph still conforms
    (graph,) = _flagged(store)
    source = ox.NamedNode(str(PKG.sourceFile))
    with PaperStore.open_existing(store) as opened:
        (quad,) = opened.quads_for_pattern(ox.NamedNode(graph[1:-1]), source, None)
    assert quad.object == ox.Literal(str(folder / "cut.txt"))


def test_strict_rejects_a_record_cut_off(tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    cut.write_text(_cut_mid_word(ORIGINAL.read_text("utf-8")), encoding="utf-8")
    code, _, err = run_cli("--store", str(tmp_path / "kg"), "build", "--strict", str(cut))
    assert code == 1
    (line,) = _one_line_errors(err, "incomplete record")
    assert f"{cut}:" in line
    assert "the file looks cut off; restore the whole record" in line
    assert _flagged(tmp_path / "kg") == []


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_a_seed_cut_anywhere_off_a_line_end_is_flagged_or_rejected(seed: str) -> None:
    text = (SEEDS / seed).read_text("utf-8")
    assert _parse(text).incomplete is None
    source = text.index("\nSource:") + len("\nSource: ")  # a cut in the URL cannot be seen
    for at in range(1, source, 37):
        if text[at - 1] == "\n":
            continue
        try:
            record = _parse(text[:at])
        except RecordError:
            continue
        assert record.incomplete is not None, (seed, at, text[at - 20 : at])


def test_records_written_by_hand_without_a_trailer_are_not_flagged() -> None:
    assert _parse("# T\n\n## Abstract\n\nText.\n").incomplete is None
    tutorial = (REPO / "docs" / "tutorial.md").read_text("utf-8")
    block = tutorial.split("<!-- file: records/900_milnacipran_example.txt -->\n```markdown\n")[1]
    assert _parse(block.split("```")[0]).incomplete is None
    for cut, lacks in [
        ("# T\n\n## Abstract\n", "ends right after the heading '## Abstract'"),
        ("# T\n\n## Abstract\n\nText.\n\n---\n", "ends with the '---' rule"),
        ("# T\n\n**Authors:** A, B\n", "no '## ' sections"),
    ]:
        warning = _parse(cut).incomplete
        assert warning is not None
        assert lacks in warning.message


def test_the_shared_broken_records_are_reported_as_before(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "--store", str(tmp_path / "kg"), "build", "--workers", "1", "--no-validate", str(RECORDS)
    )
    assert code == 1
    assert "11 built (11 new, 0 replaced), 0 unchanged, 2 rejected, 4 warnings" in out
    rejected = [line for line in err.splitlines() if line.startswith("rejected: ")]
    assert rejected == [
        f"rejected: {RECORDS / '006_eaedb9eeedb5cc15.txt'}:1: file: empty file; write the record: "
        "a '# Title' line, then its sections",
        f"rejected: {RECORDS / '007_1d81c7a84e89befd.txt'}:1: title: missing '# Title' heading; "
        "add the paper title as the first line, starting with '# '",
    ]
    warned = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert [line.split(": ")[1].rsplit(":", 1)[1] for line in warned] == ["11", "25", "41", "56"]
    assert all("034_3c755220f5cfe4e4.txt" in line and "repeated" in line for line in warned)
    assert _flagged(tmp_path / "kg") == []


def test_the_flag_travels_through_json_lines(tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    cut.write_text(_cut_mid_word(ORIGINAL.read_text("utf-8")), encoding="utf-8")
    code, _, err = run_cli("convert", str(cut), "-o", str(tmp_path / "r.jsonl"))
    assert code == 0, err
    (record,) = read_records(tmp_path / "r.jsonl")
    assert isinstance(record, PaperRecord)
    assert record.incomplete is not None


# --- 2. record text that tries to break out of literals and IRIs --------------------------------

BREAKOUT = [
    '"',
    '"""',
    "'''",
    "'",
    ">",
    "<",
    "\\",
    "\\u0022",
    "\\n",
    "\u202e",
    "\u2028\u2029",
    "http://x y/>",
    "^^<x>",
    "@en",
    "{}|^`",
    "_:b0",
    "\t",
]
HOSTILE = "a" + "".join(BREAKOUT) + "z"


def _hostile_markdown() -> str:
    doi = '10.1000/x"y>z<{}|\\^`\u202e"""'
    lines = [
        f"# Naltrexone {HOSTILE} \x01 title",
        "",
        f'**Authors:** Ann {HOSTILE}, Bo "Two" <b>, C\u202eD',
        "",
        f"PMC · DOI: {doi} · PMID: 123 · Journal {HOSTILE} 1(2):3 · 2020",
        "",
        "## TL;DR",
        "",
        f"Naltrexone 4.5 mg/day improved fibromyalgia {HOSTILE} in 10 patients.",
        "",
        "## Key findings",
        "",
        f"- Low-dose naltrexone {HOSTILE} reduced pain in fibromyalgia.",
        "",
        "## Abstract",
        "",
        f"In a randomized trial naltrexone {HOSTILE} 4.5 mg improved pain in fibromyalgia.",
        "",
        "## Linked entities",
        "",
        f"- **Chemicals:** naltrexone {HOSTILE} (MESH:D009271), x{HOSTILE}y (PubChem CID 5360515), "
        f"odd {HOSTILE} (-), sp ace (FOO:a b>c)",
        f'- **Diseases:** fibromyalgia {HOSTILE} (MONDO:0005546), bad (MESH:D00"5>)',
        "",
        f"## Wild {HOSTILE}",
        "",
        f"text {HOSTILE}",
        "",
        "---",
        f'Source: http://example.org/a{HOSTILE}b>"c',
        "",
    ]
    return "\n".join(lines)


def _hostile_json() -> str:
    bad = HOSTILE + "\x00\x01\x1b\x7f\x85\ufffe\ufeff\r\n"
    obj = {
        "source": "src" + bad,
        "title": "Naltrexone " + bad,
        "authors": ["A" + bad, bad],
        "origin": bad,
        "doi": '10.1000/q"r>s<{}|\\^`\u202e',
        "pmid": "12",
        "pmcid": "PMC3",
        "journal": bad,
        "volume": bad,
        "pages": bad,
        "date": "2020",
        "tldr": "Naltrexone 4.5 mg improved fibromyalgia " + bad,
        "key_findings": [bad],
        "abstract": "In a randomized trial of 30 patients naltrexone improved fibromyalgia " + bad,
        "linked_entities": [
            {"text": "naltrexone" + bad, "kind": "chemical", "identifier": "MESH:D009271"},
            {"text": "fibromyalgia" + bad, "kind": "disease", "identifier": "MONDO:0005546"},
            {"text": bad, "kind": "disease", "raw_identifier": bad, "note": bad},
        ],
        "source_url": "http://example.org/a b>" + bad,
        "extra_sections": [[bad, bad]],
        "warnings": [{"line": 1, "message": bad}],
        "publication_types": [bad],
        "mesh_headings": [{"descriptor": bad, "qualifiers": [bad]}],
    }
    return json.dumps(obj) + "\n"


EXPORTS = [
    ("turtle", ox.RdfFormat.TURTLE, "turtle", False),
    ("nt", ox.RdfFormat.N_TRIPLES, "nt", False),
    ("nq", ox.RdfFormat.N_QUADS, "nquads", True),
    ("trig", ox.RdfFormat.TRIG, "trig", True),
]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaperStore]:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "h.txt").write_text(_hostile_markdown(), encoding="utf-8")
    (folder / "h.jsonl").write_text(_hostile_json(), encoding="utf-8")
    code, out, err = run_cli("--store", str(folder / "kg"), "build", "--workers", "1", str(folder))
    assert (code, out.split(" (")[0]) == (0, "2 built"), err
    assert "Conforms" in err or "violation" not in err
    with PaperStore.open_existing(folder / "kg") as store:
        yield store


@pytest.mark.parametrize(("fmt", "ox_format", "rdflib_format", "quads"), EXPORTS)
def test_hostile_text_exports_as_rdf_that_parses_back(
    hostile_store: PaperStore,
    tmp_path: Path,
    fmt: str,
    ox_format: ox.RdfFormat,
    rdflib_format: str,
    quads: bool,
) -> None:
    target = tmp_path / f"out.{fmt}"
    written = export_store(hostile_store, target, fmt)
    parsed = list(ox.parse(path=str(target), format=ox_format))
    assert len(parsed) == written
    data: rdflib.Graph = rdflib.Dataset() if quads else rdflib.Graph()
    data.parse(target, format=rdflib_format)
    assert len(list(data.quads() if isinstance(data, rdflib.Dataset) else data)) == written
    title = rdflib.URIRef(str(DCTERMS.title))
    if isinstance(data, rdflib.Dataset):
        titles = {str(quad[2]) for quad in data.quads((None, title, None, None))}
    else:
        titles = {str(obj) for obj in data.objects(None, title)}
    assert f"Naltrexone {HOSTILE}   title" in titles  # the control character became a space
    assert any(title.startswith("Naltrexone " + HOSTILE + "\x00") for title in titles)
    for quad in parsed:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                assert not set(term.value) & set(' <>"{}|^`\\\n\u202e'), term.value


# --- 3. limits ------------------------------------------------------------------------------------


def test_sizes_beyond_the_limits_are_one_line_errors_and_cost_no_other_record(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ORIGINAL, folder / "good.txt")
    (folder / "big.txt").write_bytes(b"# T\n" + b"x\n" * (MAX_RECORD_BYTES // 2))
    (folder / "line.txt").write_text("# T\n\nx\n" + "y" * (MAX_LINE_CHARS + 1), encoding="utf-8")
    half = "".join(  # each section within its own limit, the two together over the record's
        f"- **Chemicals:** {', '.join(f'c{i + j} (-)' for j in range(1000))}\n"
        for i in range(0, MAX_ENTITIES // 2 + 1000, 1000)
    )
    many = f"# T\n\n## Linked entities\n\n{half}\n## Full-text entities\n\n{half}"
    (folder / "many.txt").write_text(many, encoding="utf-8")
    code, out, err = run_cli(
        "--store", str(tmp_path / "kg"), "build", "--workers", "1", "--no-validate", str(folder)
    )
    assert code == 1
    assert "1 built" in out
    assert "3 rejected" in out
    rejected = sorted(line for line in err.splitlines() if line.startswith("rejected: "))
    assert rejected[0].startswith(f"rejected: {folder / 'big.txt'}:0: file: record is larger than")
    assert rejected[1].startswith(f"rejected: {folder / 'line.txt'}:4: file: line longer than")
    assert rejected[2].startswith(f"rejected: {folder / 'many.txt'}:")
    assert f"more than {MAX_ENTITIES:,} entity mentions" in rejected[2]
    assert all(line.count(";") >= 1 for line in rejected)  # each says how to fix it


# --- 4. XML never reaches out --------------------------------------------------------------------

XML_DOCS = {
    "bioc": (
        "collection",
        "<collection><source>x</source><date>2020</date><key>k</key><document><id>1</id>"
        '<passage><infon key="type">title</infon><offset>0</offset><text>T {} end</text>'
        "</passage></document></collection>",
    ),
    "pubmed": (
        "PubmedArticleSet",
        '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">1</PMID><Article>'
        "<ArticleTitle>T {} end</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>",
    ),
    "jats": (
        "article",
        '<article><front><article-meta><article-id pub-id-type="pmid">1</article-id>'
        "<title-group><article-title>T {} end</article-title></title-group></article-meta>"
        "</front></article>",
    ),
}
LAUGHS = "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10)
)


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    with serve(CountingHandler, hits=hits, body=b'<!ENTITY leak "LEAKED">') as base:
        yield f"{base}", hits


@pytest.mark.parametrize("kind", sorted(XML_DOCS))
@pytest.mark.parametrize("attack", ["laughs", "file entity", "url entity", "parameter", "dtd"])
def test_xml_never_expands_entities_nor_fetches_anything(
    tmp_path: Path, listener: tuple[str, list[str]], kind: str, attack: str
) -> None:
    url, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    root, body = XML_DOCS[kind]
    subset, use = {
        "laughs": (f"[{LAUGHS}]", "&l9;"),
        "file entity": (f'[<!ENTITY x SYSTEM "{secret.as_uri()}">]', "&x;"),
        "url entity": (f'[<!ENTITY x SYSTEM "{url}/x">]', "&x;"),
        "parameter": (f'[<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]', "&leak;"),
        "dtd": (f'SYSTEM "{url}/{root}.dtd"', ""),
    }[attack]
    path = tmp_path / f"{kind}.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} {subset}>\n{body.format(use)}', "utf-8"
    )
    found = list(read_records(path))
    assert hits == []
    assert len(found) == 1
    if attack == "dtd":  # the document is read, its DTD never fetched
        assert isinstance(found[0], PaperRecord), found[0]
        assert found[0].title.split() == ["T", "end"]
    else:
        assert isinstance(found[0], RecordError)
        assert "\n" not in str(found[0])
        assert "TOP SECRET" not in str(found[0])
        assert "lollol" not in str(found[0])


# --- 5. nothing outside the sources is read because of what a record says ----------------------

#: What the audit hook records into while a test watches (an audit hook cannot be removed).
_WATCHING: list[list[tuple[str, str]]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _WATCHING:
        return
    if event == "open" and isinstance(args[0], str | bytes):
        _WATCHING[-1].append((event, os.fsdecode(args[0])))
    elif event in ("socket.connect", "urllib.Request", "os.listdir", "os.scandir"):
        _WATCHING[-1].append((event, str(args[:2])))


sys.addaudithook(_audit)


@contextlib.contextmanager
def _watch() -> Iterator[list[tuple[str, str]]]:
    """The files opened, folders listed and connections made inside the block."""
    seen: list[tuple[str, str]] = []
    _WATCHING.append(seen)
    try:
        yield seen
    finally:
        _WATCHING.remove(seen)


def _naming(secret: Path) -> dict[str, str]:
    """Records of every format whose content points at ``secret``."""
    uri = secret.as_uri()
    markdown = ORIGINAL.read_text("utf-8").replace(
        "## Full text\n", f"## Full text\n\n![figure]({secret}) [see]({uri}) <{uri}>\n"
    )
    markdown = markdown.rsplit("Source: ", 1)[0] + f"Source: {uri}"
    lines = [
        {"title": "Naming a file", "source": str(secret), "source_url": uri, "full_text": uri},
        {"title": "A NUL in the source", "source": "a\x00b", "pmid": "7"},
    ]
    jats = (
        '<?xml version="1.0"?>\n<!DOCTYPE article SYSTEM "' + str(secret) + '">\n'
        '<article xmlns:xi="http://www.w3.org/2001/XInclude" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>'
        '<article-id pub-id-type="pmid">5</article-id><title-group><article-title>J'
        f'</article-title></title-group></article-meta></front><body><xi:include href="{secret}"/>'
        f'<graphic xlink:href="{uri}"/><ext-link xlink:href="{uri}">x</ext-link></body></article>'
    )
    bioc_root, bioc = XML_DOCS["bioc"]
    pubmed_root, pubmed = XML_DOCS["pubmed"]
    return {
        "a.txt": markdown,
        "b.jsonl": "".join(json.dumps(line) + "\n" for line in lines),
        "c.nxml": jats,
        "d.xml": f'<!DOCTYPE {bioc_root} SYSTEM "{secret}">\n'
        + bioc.format(uri).replace("<id>1</id>", "<id>2</id>"),
        "e.xml": f'<!DOCTYPE {pubmed_root} SYSTEM "{uri}">\n{pubmed.format(secret)}',
    }


def test_nothing_outside_the_sources_is_read_because_of_a_record(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = elsewhere / "secret.txt"
    secret.write_text("# TOP SECRET\n\n## Abstract\n\nLEAKED.\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in _naming(secret).items():
        (folder / name).write_text(text, encoding="utf-8")
    store = tmp_path / "kg"
    with _watch() as seen:
        code, out, err = run_cli("--store", str(store), "build", "--workers", "1", str(folder))
        again = run_cli("--store", str(store), "build", "--workers", "1", "--prune", str(folder))
    assert code == 0, err
    assert out.startswith("6 built")
    assert again[0] == 0, again[2]  # a NUL in a stored source path is no traceback for --prune
    assert [s for s in seen if str(elsewhere) in s[1]] == []
    assert [s for s in seen if s[0] in ("socket.connect", "urllib.Request")] == []
    exported = tmp_path / "all.nq"
    run_cli("--store", str(store), "export", "--format", "nq", "-o", str(exported))
    assert "LEAKED" not in exported.read_text("utf-8")


# --- 6. links in a source folder -----------------------------------------------------------------


def test_links_that_loop_or_lead_outside_are_reported_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(ORIGINAL, folder / "good.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(RECORDS / "001_be81279a1f25c6c0.txt", outside / "other.txt")
    (folder / "same.txt").symlink_to("good.txt")  # inside the folder: read once, as good.txt
    (folder / "loop").symlink_to(".")
    (folder / "sub" / "up").symlink_to("..")
    (folder / "self.txt").symlink_to("self.txt")
    (folder / "out.txt").symlink_to(outside / "other.txt")
    (folder / "outdir").symlink_to(outside)
    code, out, err = run_cli(
        "--store", str(tmp_path / "kg"), "build", "--workers", "1", "--no-validate", str(folder)
    )
    assert code == 1
    assert out.startswith("1 built (1 new, 0 replaced), 0 unchanged, 5 rejected")
    rejected = sorted(line for line in err.splitlines() if line.startswith("rejected: "))
    expected = [
        ("loop", "symbolic link loop"),
        ("out.txt", f"symbolic link to a file outside {folder}"),
        ("outdir", f"symbolic link to a folder outside {folder}"),
        ("self.txt", "symbolic link loop"),
        ("sub/up", "symbolic link loop"),
    ]
    assert len(rejected) == len(expected)
    for line, (name, problem) in zip(rejected, expected, strict=True):
        assert line.startswith(f"rejected: {folder / name}:0: source: {problem}"), line
    # named on the command line, a link is followed
    assert [type(p) for p in expand_sources(folder / "out.txt")] == [type(Path())]
    (record,) = read_records(expand_sources(folder / "out.txt")[0])
    assert isinstance(record, PaperRecord)


def test_a_pattern_over_a_folder_with_two_loops_ends(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ORIGINAL, folder / "good.txt")
    (folder / "l1").symlink_to(".")
    (folder / "l2").symlink_to(".")  # glob's ** would walk 2**40 paths
    script = "import sys; from paperkg.readers import expand_sources as e; print(*e(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script, f"{folder}/**/*.txt"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == [str(folder / "good.txt")]
