"""PubTator reader: the shared BC5CDR and NCBI disease samples, fixtures, and hostile text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperkg.errors import RecordError
from paperkg.model import Annotation, EntityKind, PaperRecord, Relation
from paperkg.readers.pubtator import iter_pubtator, read_pubtator

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BC5CDR = CORPORA / "bc5cdr" / "CDR_TrainingSet.first300.PubTator.txt"
SUBSET = CORPORA / "bc5cdr" / "CDR_all_splits.record_drug_subset.PubTator.txt"
NCBI = CORPORA / "ncbi_disease" / "NCBItestset_corpus.txt"
FIXTURES = Path(__file__).resolve().parent / "data" / "corpora"

MENTION_LINE = re.compile(r"^\d+\t\d+\t\d+\t", re.MULTILINE)
CID_LINE = re.compile(r"^\d+\tCID\t", re.MULTILINE)


def records_only(results: list[PaperRecord | RecordError]) -> list[PaperRecord]:
    errors = [result for result in results if isinstance(result, RecordError)]
    assert errors == []
    return [result for result in results if isinstance(result, PaperRecord)]


def document_text(record: PaperRecord) -> str:
    return record.title + " " + (record.abstract or "")


@pytest.fixture(scope="module")
def bc5cdr() -> list[PaperRecord]:
    return records_only(read_pubtator(BC5CDR))


def test_bc5cdr_counts_match_the_file(bc5cdr: list[PaperRecord]) -> None:
    text = BC5CDR.read_text(encoding="utf-8")
    assert len(bc5cdr) == 300
    assert len({record.pmid for record in bc5cdr}) == 300
    assert sum(len(record.annotations) for record in bc5cdr) == len(MENTION_LINE.findall(text))
    assert sum(len(record.relations) for record in bc5cdr) == len(CID_LINE.findall(text))
    assert len(MENTION_LINE.findall(text)) == 5428
    assert len(CID_LINE.findall(text)) == 569


def test_bc5cdr_record_fields(bc5cdr: list[PaperRecord]) -> None:
    digest = hashlib.sha256(BC5CDR.read_bytes()).hexdigest()
    first = bc5cdr[0]
    assert {(r.source, r.sha256, r.source_format) for r in bc5cdr} == {
        (str(BC5CDR), digest, "pubtator")
    }
    assert first.pmid == "227508"
    assert first.title == "Naloxone reverses the antihypertensive effect of clonidine."
    assert first.abstract is not None
    assert first.abstract.startswith("In unanesthetized, spontaneously hypertensive rats")
    assert first.annotations[0] == Annotation(
        0, 8, "Naloxone", EntityKind.CHEMICAL, ("MESH:D009270",), "D009270"
    )
    assert first.relations == (Relation("CID", "MESH:D008750", "MESH:D007022"),)
    nalozone = next(a for a in first.annotations if a.text == "nalozone")
    assert nalozone.identifiers == ()
    assert nalozone.raw_identifier == "-1"
    # one full-text entity per distinct (text, identifier); lines point into the file
    keys = [(mention.text, mention.identifier) for mention in first.fulltext_entities]
    assert len(keys) == len(set(keys))
    assert ("naloxone", "MESH:D009270") in keys
    assert ("nalozone", None) in keys
    assert {m.section for m in first.fulltext_entities} == {"fulltext"}
    assert first.fulltext_entities[0].line == 3


def test_bc5cdr_offsets_index_title_space_abstract(bc5cdr: list[PaperRecord]) -> None:
    checked = 0
    for record in bc5cdr:
        text = document_text(record)
        for annotation in record.annotations:
            assert text[annotation.start : annotation.end] == annotation.text, record.pmid
            checked += 1
        assert record.warnings == ()
    assert checked == 5428


def test_bc5cdr_kinds_and_composites(bc5cdr: list[PaperRecord]) -> None:
    kinds = {a.kind for record in bc5cdr for a in record.annotations}
    assert kinds == {EntityKind.CHEMICAL, EntityKind.DISEASE}
    composite = next(
        a for r in bc5cdr for a in r.annotations if a.raw_identifier == "D014786|D006311"
    )
    assert composite.identifiers == ("MESH:D014786", "MESH:D006311")
    record = next(r for r in bc5cdr if composite in r.annotations)
    assert {m.identifier for m in record.fulltext_entities if m.text == composite.text} == {
        "MESH:D014786",
        "MESH:D006311",
    }


def test_subset_keeps_2015_mesh_supplementary_ids() -> None:
    records = records_only(read_pubtator(SUBSET))
    assert len(records) == 60
    ids = {i for record in records for a in record.annotations for i in a.identifiers}
    assert {"MESH:C040029", "MESH:C052342"} <= ids  # gabapentin, topiramate as BC5CDR gives them


def test_ncbi_disease_test_set() -> None:
    records = records_only(read_pubtator(NCBI))
    assert len(records) == 100
    assert len({record.pmid for record in records}) == 100
    text = NCBI.read_text(encoding="utf-8")
    assert sum(len(r.annotations) for r in records) == len(MENTION_LINE.findall(text))
    assert {a.kind for r in records for a in r.annotations} == {EntityKind.DISEASE}
    first = records[0]
    assert first.annotations[0].identifiers == ("OMIM:215600",)
    composites = [
        a for r in records for a in r.annotations if a.raw_identifier == "OMIM:201400|C535668"
    ]
    assert composites
    assert composites[0].identifiers == ("OMIM:201400", "MESH:C535668")
    for record in records:
        full = document_text(record)
        assert all(full[a.start : a.end] == a.text for a in record.annotations)


def test_broken_document_in_the_middle() -> None:
    path = FIXTURES / "broken_middle.PubTator.txt"
    results = read_pubtator(path)
    assert [type(result).__name__ for result in results] == [
        "PaperRecord",
        "RecordError",
        "PaperRecord",
    ]
    error = results[1]
    assert isinstance(error, RecordError)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert error.line == lines.index(next(x for x in lines if x.startswith("2234245|t|"))) + 1
    assert error.field == "annotation"
    assert "line" in error.problem
    assert error.fix
    assert error.path == str(path)
    first, last = results[0], results[2]
    assert isinstance(first, PaperRecord)
    assert isinstance(last, PaperRecord)
    assert (first.pmid, last.pmid) == ("227508", "354896")
    assert last.relations == (Relation("CID", "MESH:D008012", "MESH:D006323"),)


def test_composites_missing_ids_and_odd_lines() -> None:
    (record,) = records_only(read_pubtator(FIXTURES / "composite.PubTator.txt"))
    by_text = {a.text: a for a in record.annotations}
    assert by_text["Ocular and auditory toxicity"].identifiers == ("MESH:D014786", "MESH:D006311")
    assert by_text["breast or ovarian cancer"].identifiers == ("MESH:D001943", "MESH:D010051")
    assert by_text["breast or ovarian cancer"].kind is EntityKind.DISEASE
    assert by_text["[3H]-naloxone"].identifiers == ()
    assert by_text["mice"].identifiers == ("NCBITaxon:10090",)
    assert by_text["mice"].kind is EntityKind.SPECIES
    assert by_text["WD"].identifiers == ("OMIM:277900",)
    assert by_text["hemodialyzed"].kind is EntityKind.OTHER
    assert by_text["hemodialyzed"].identifiers == ()
    assert by_text["Ocular"].identifiers == ()
    assert record.relations == (Relation("CID", "MESH:D003676", "MESH:D014786"),)
    messages = [w.message for w in record.warnings]
    assert any("'Procedure' not known" in m for m in messages)
    assert any("offsets 10-20" in m for m in messages)
    assert any("'XYZ:1'" in m and "does not normalise" in m for m in messages)
    assert len(messages) == 3
    mentions = {(m.text, m.identifier) for m in record.fulltext_entities}
    assert ("Ocular and auditory toxicity", "MESH:D014786") in mentions
    assert ("Ocular and auditory toxicity", "MESH:D006311") in mentions
    assert ("desferrioxamine", "MESH:D003676") in mentions
    assert ("Desferrioxamine", "MESH:D003676") in mentions


def run(text: str) -> list[PaperRecord | RecordError]:
    return list(iter_pubtator(text, source="mem.txt", sha256="0" * 64))


def test_document_without_title_is_an_error_and_reading_goes_on() -> None:
    text = "1|a|An abstract.\n1\t0\t2\tAn\tChemical\t-1\n\n2|t|Title two\n2|a|\n"
    first, second = run(text)
    assert isinstance(first, RecordError)
    assert (first.field, first.line) == ("title", 1)
    assert isinstance(second, PaperRecord)
    assert (second.pmid, second.title, second.abstract) == ("2", "Title two", None)


def test_documents_without_blank_lines_crlf_and_bom() -> None:
    text = "\ufeff1|t|One\r\n1|a|Alpha beta\r\n1\t4\t9\tAlpha\tDisease\tD000001\r\n"
    text += "2|t|Two\r\n2|a|x\r\n"
    first, second = run(text)
    assert isinstance(first, PaperRecord)
    assert isinstance(second, PaperRecord)
    assert first.annotations[0].identifiers == ("MESH:D000001",)
    assert first.warnings == ()
    assert (second.pmid, second.title) == ("2", "Two")


def test_mismatched_id_and_stray_line_are_errors() -> None:
    text = "1|t|One\n2\t0\t3\tOne\tChemical\tD000001\n\n3|t|Three\nfree text\n\n4|t|Four\n"
    results = run(text)
    assert [getattr(r, "field", "record") for r in results] == ["id", "line", "record"]
    assert [r.line for r in results if isinstance(r, RecordError)] == [1, 4]


def test_non_digit_ids_are_not_pmids() -> None:
    (record,) = run("PMC77|t|Title\nPMC77|a|Text\n")
    assert isinstance(record, PaperRecord)
    assert (record.pmid, record.pmcid) == (None, "PMC77")


def test_unreadable_files_raise(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("1|t|Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(RecordError) as raised:
        read_pubtator(latin)
    assert raised.value.field == "file"
    with pytest.raises(RecordError):
        read_pubtator(tmp_path / "missing.txt")


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_gives_records_or_errors(text: str) -> None:
    for result in run(text):
        assert isinstance(result, PaperRecord | RecordError)


line_kinds = st.sampled_from(["1|t|", "1|a|", "1\t", "2\t", "\n", "\t", "|", "CID\t", "-1", "D1"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(line_kinds, st.text(max_size=8), st.integers(-3, 99).map(str))))
def test_pubtator_like_text_gives_records_or_errors(parts: list[str]) -> None:
    for result in run("".join(parts)):
        assert isinstance(result, PaperRecord | RecordError)


words = st.text(alphabet="abcdefgh |\t-", min_size=1, max_size=40).filter(
    lambda s: s.strip() and "\t" not in s
)


@settings(max_examples=150, deadline=None)
@given(words, st.text(alphabet="abcdefgh -|", max_size=80), st.data())
def test_generated_documents_round_trip(title: str, abstract: str, data: st.DataObject) -> None:
    text = title + " " + abstract
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, 10)), max_size=6)
    )
    lines = [f"42|t|{title}", f"42|a|{abstract}"]
    expected = []
    for start, length in spans:
        end = min(len(text), start + length)
        mention = text[start:end]
        if "\t" in mention or mention != mention.strip() or not mention:
            continue
        lines.append(f"42\t{start}\t{end}\t{mention}\tChemical\tD{start:06d}|-1")
        expected.append(
            Annotation(
                start,
                end,
                mention,
                EntityKind.CHEMICAL,
                (f"MESH:D{start:06d}",),
                f"D{start:06d}|-1",
            )
        )
    (record,) = run("\n".join(lines) + "\n")
    assert isinstance(record, PaperRecord)
    assert list(record.annotations) == expected
    assert record.warnings == ()
    assert document_text(record) == text
