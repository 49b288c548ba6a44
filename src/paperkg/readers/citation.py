"""What the PubMed XML and MEDLINE text readers share: a citation's fields, read either way,
become one :class:`PaperRecord` by the same rules, so both formats give the same record.

NLM's indexing becomes entity mentions with ``section="mesh-indexing"``, apart from any the
text gives, so a later step can tell where the two witnesses agree:

- every substance of the chemical list (``ChemicalList`` / ``RN``) is a chemical;
- a MeSH heading is a disease when it carries a qualifier MeSH allows only on diseases and
  mental disorders (trees C and F03): ``drug therapy``, ``therapy``, ``chemically induced``,
  ``complications``, ``congenital``, ``diagnosis``, ``diet therapy``, ``etiology``,
  ``prevention & control``, ``radiotherapy``, ``secondary``. The files carry no tree numbers,
  and qualifiers allowed elsewhere too (``epidemiology`` on places, ``pathology`` on organs,
  ``mortality`` on procedures) would mislabel; a heading without such a qualifier (``Humans``,
  ``Fibromyalgia`` alone) stays a heading only (:attr:`PaperRecord.mesh_headings`).

Drugs and conditions the title and abstract name are recognised as well
(:mod:`paperkg.text_entities`, section ``text-recognised``, in the full-text entities).

Inverted MeSH names (``Arthritis, Rheumatoid``) also give their natural order as a second
mention of the same id, and a chemical named as a salt (``Erlotinib Hydrochloride``) its base
name, as texts write them.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field

from paperkg.errors import RecordError
from paperkg.identifiers import normalize_doi
from paperkg.model import EntityKind, EntityMention, MeshHeading, PaperRecord, ReaderWarning
from paperkg.text_entities import mesh_id, with_text_entities

__all__ = [
    "DISEASE_QUALIFIERS",
    "INDEXING",
    "Citation",
    "citation_date",
    "free_date",
    "mesh_curie",
]

#: The ``section`` of mentions that come from NLM's indexing, not the text.
INDEXING = "mesh-indexing"
#: Qualifiers MeSH allows only on diseases (tree C) and mental disorders (F03).
DISEASE_QUALIFIERS = frozenset(
    {
        "chemically induced",
        "complications",
        "congenital",
        "diagnosis",
        "diet therapy",
        "drug therapy",
        "etiology",
        "prevention & control",
        "radiotherapy",
        "secondary",
        "therapy",
    }
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DATE = re.compile(
    r"\s*([12][0-9]{3})(?:[\s/-]+([A-Za-z]{3,9}|[0-9]{1,2}(?![0-9]))"
    r"(?:[\s/-]+([0-9]{1,2})(?![0-9]))?)?"
)
_MESH_UI = re.compile(r"[CD][0-9]{6,9}")
_PMID = re.compile(r"[0-9]{1,12}")
_PMCID = re.compile(r"PMC[0-9]{1,12}")
_MAX_WARNINGS = 50
#: Last words of a salt's name: "Erlotinib Hydrochloride" is written "erlotinib" in the text.
_SALTS = frozenset(
    {
        "hydrochloride",
        "dihydrochloride",
        "hydrobromide",
        "sulfate",
        "sodium",
        "potassium",
        "calcium",
        "citrate",
        "maleate",
        "mesylate",
        "tartrate",
        "acetate",
        "phosphate",
        "fumarate",
        "succinate",
        "besylate",
    }
)


def mesh_curie(ui: str | None) -> str | None:
    """``D005356`` → ``MESH:D005356``; ``None`` for anything else (a registry number, ``0``)."""
    text = (ui or "").strip()
    return f"MESH:{text}" if _MESH_UI.fullmatch(text) else None


def citation_date(year: str, month: str = "", day: str = "") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from PubMed's parts (``Oct`` or ``10``), as far
    as they make a real date; ``None`` without a year.
    """
    if not year.strip().isdigit() or len(year.strip()) != 4:
        return None
    month_key = month.strip().lower()[:3]
    number = _MONTHS.get(month_key) or (int(month_key) if month_key.isdigit() else 0)
    if not 1 <= number <= 12:
        return year.strip()
    found = f"{year.strip()}-{number:02d}"
    if day.strip().isdigit():
        try:
            datetime.date(int(year), number, int(day))
        except ValueError:
            return found
        return f"{found}-{int(day):02d}"
    return found


def free_date(text: str) -> str | None:
    """The date of a free-text PubMed date: ``2008 Jul-Aug`` → ``2008-07``, ``2015 Winter``
    → ``2015``, ``2007 Oct 18`` → ``2007-10-18``.
    """
    match = _DATE.match(text)
    if match is None:
        return None
    return citation_date(match.group(1), match.group(2) or "", match.group(3) or "")


def _other_forms(name: str, kind: EntityKind) -> list[str]:
    """``Arthritis, Rheumatoid`` → ``Rheumatoid Arthritis``; a salt → its base name."""
    forms = []
    head, comma, tail = name.partition(", ")
    if comma and "," not in tail and len(head.split()) <= 4 and len(tail.split()) <= 3:
        forms.append(f"{tail} {head}")
    words = name.split()
    if kind is EntityKind.CHEMICAL and len(words) == 2 and words[1].casefold() in _SALTS:
        forms.append(words[0])
    return forms


def _with_identifier(heading: MeshHeading) -> MeshHeading:
    """A heading MEDLINE text wrote without its id, with the id the vocabulary knows its name
    by (a disease's first, then a chemical's), so its qualifiers can be read as the XML's are.
    """
    if heading.identifier:
        return heading
    forms = (heading.descriptor, *_other_forms(heading.descriptor, EntityKind.DISEASE))
    for kind in (EntityKind.DISEASE, EntityKind.CHEMICAL):
        curie = _vocabulary_id(forms, kind)
        if curie is not None:
            return dataclasses.replace(heading, identifier=curie)
    return heading


def _vocabulary_id(forms: tuple[str, ...], kind: EntityKind) -> str | None:
    """The MeSH id the shipped vocabulary knows the first of a name's forms by (MEDLINE text
    writes headings and chemicals without ids).
    """
    return next(filter(None, (mesh_id(form, kind) for form in forms)), None)


@dataclass(slots=True)
class Citation:
    """A citation's fields as a reader found them; :meth:`record` checks and assembles them."""

    source: str
    line: int
    pmid: str = ""
    title: str = ""
    doi: str | None = None
    pmcid: str | None = None
    abstract_parts: list[tuple[str, str]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    date: str | None = None
    publication_types: list[str] = field(default_factory=list)
    #: (name, MeSH UI or registry number as written)
    chemicals: list[tuple[str, str]] = field(default_factory=list)
    headings: list[MeshHeading] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Add a warning on the citation's line; capped."""
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(ReaderWarning(self.line, message))

    def set_doi(self, raw: str) -> None:
        """The first DOI that normalises; a malformed one is a warning, not a rejection."""
        if self.doi is None and raw.strip():
            self.doi = normalize_doi(raw)
            if self.doi is None:
                self.warn(f"DOI {raw.strip()[:60]!r} is not a DOI; left out")

    def set_pmcid(self, raw: str) -> None:
        """``PMC4380289`` (also from ``PMC4380289 [Available on 12/22/16]``)."""
        match = _PMCID.match(raw.strip())
        if self.pmcid is None and match is not None:
            self.pmcid = match.group()

    def record(self, *, sha256: str, source_format: str) -> PaperRecord:
        """The record, or :class:`RecordError` for a citation without PMID or title."""
        where = f"PMID {self.pmid}" if self.pmid else f"the citation at line {self.line}"
        if not _PMID.fullmatch(self.pmid):
            problem = (
                f"{where} has no PMID" if not self.pmid else f"PMID {self.pmid!r} is not digits"
            )
            raise RecordError(
                self.source, self.line, "PMID", problem, "give each citation its PubMed id (digits)"
            )
        if not self.title.strip():
            fix = "give the citation its title (ArticleTitle, or TI in MEDLINE text)"
            raise RecordError(self.source, self.line, "title", f"{where} has no title", fix)
        abstract = "\n\n".join(
            f"{label}: {text}" if label and label.upper() != "UNLABELLED" else text
            for label, text in self.abstract_parts
            if text
        )
        record = PaperRecord(
            source=f"{self.source}:{self.line}",
            sha256=sha256,
            title=self.title,
            authors=tuple(self.authors),
            origin="PubMed",
            doi=self.doi,
            pmid=self.pmid,
            pmcid=self.pmcid,
            journal=self.journal or None,
            volume=self.volume or None,
            issue=self.issue or None,
            pages=self.pages or None,
            date=self.date,
            abstract=abstract or None,
            linked_entities=self._mentions(),
            source_url=f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/",
            warnings=tuple(self.warnings),
            publication_types=tuple(self.publication_types),
            mesh_headings=tuple(_with_identifier(h) for h in self.headings),
            source_format=source_format,
        )
        # the text's own drugs and conditions, beside the indexing (MEDLINE text gives no ids)
        return with_text_entities(record)

    def _mentions(self) -> tuple[EntityMention, ...]:
        """NLM's indexing as mentions (the rule in the module docstring)."""
        found: dict[tuple[str, str | None], EntityMention] = {}
        chemicals: set[str] = set()

        def add(name: str, kind: EntityKind, raw: str, note: str) -> None:
            forms = (name, *_other_forms(name, kind))
            # MEDLINE text names headings without their ids: the vocabulary knows many
            curie = mesh_curie(raw) or _vocabulary_id(forms, kind)
            for text in forms:
                mention = EntityMention(text, kind, curie, raw, INDEXING, self.line, note)
                found.setdefault((text.casefold(), curie), mention)

        for name, raw in self.chemicals:
            chemicals |= {raw, name.casefold()} - {""}
            add(name, EntityKind.CHEMICAL, raw, "chemical list")
        for heading in self.headings:
            disease = DISEASE_QUALIFIERS.intersection(heading.qualifiers)
            ui = (heading.identifier or "").removeprefix("MESH:")
            if disease and not {ui, heading.descriptor.casefold()} & chemicals:
                note = "MeSH heading: " + "/".join(heading.qualifiers)
                add(heading.descriptor, EntityKind.DISEASE, ui, note + (" (major)" * heading.major))
        return tuple(found.values())
