"""The model of one JSON Lines paper record: it checks a line's object and it emits
``shapes/paper-record.schema.json``, so the reader and the published schema cannot drift apart.

The pydantic models mirror :class:`~paperkg.model.PaperRecord` and its parts field for field.
What JSON Schema cannot say (a real date, ``end >= start``, a canonical CURIE) is checked by
validators beside the pattern the schema publishes. :mod:`.jsonl_convert` turns a checked line
into the record, and pydantic's errors into :class:`~paperkg.errors.RecordError`'s one line.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from paperkg.identifiers import normalize_curie, normalize_doi
from paperkg.model import (
    Annotation,
    EntityKind,
    EntityMention,
    MeshHeading,
    ReaderWarning,
    Relation,
)

__all__ = ["SCHEMA_ID", "RecordModel"]

_SchemaId = Literal["https://w3id.org/paperkg/paper-record/1"]
#: The ``schema`` value of every line: the version of this layout.
SCHEMA_ID: Final[_SchemaId] = get_args(_SchemaId)[0]

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CURIE = (
    r"^(MONDO:[0-9]{7}|MESH:[CD][0-9]{6,9}|pubchem\.compound:[0-9]+|CHEBI:[0-9]+|NCBITaxon:[0-9]+"
    r"|doi:10\.[0-9]{4,9}/\S+|pubmed:[0-9]+|pmc:PMC[0-9]+|OMIM:[0-9]{6}|DOID:[0-9]+|HP:[0-9]{7}"
    r"|NCBIGene:[0-9]+)$"
)
_CURIE_FIX = "write a CURIE paperkg knows, e.g. MESH:D009271, MONDO:0005546, CHEBI:7465"
_DATE_FIX = 'write the date as "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day'


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _problem(problem: str, fix: str) -> PydanticCustomError:
    """A failed paperkg check, carried through pydantic to the line's error as it is (see
    :mod:`.jsonl_convert`).
    """
    return PydanticCustomError("paperkg", "{problem}; {fix}", {"problem": problem, "fix": fix})


# -- checks JSON Schema cannot state, and the pattern it publishes instead -------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Pattern:
    """The ``pattern`` the schema publishes for a text a validator beside it checks in Python
    (the reader may be more lenient, or the rule beyond a regular expression).
    """

    regex: str

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.regex}


@dataclasses.dataclass(frozen=True, slots=True)
class _Matches:
    """A text that must match ``regex`` whole: checked in Python, published as ``^regex$``."""

    name: str
    regex: str
    fix: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        compiled = re.compile(self.regex)

        def check(value: str) -> str:
            if compiled.fullmatch(value) is None:
                raise _problem(f"malformed {self.name} {_short(value)!r}", self.fix)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": f"^{self.regex}$"}


def _title(value: str) -> str:
    if not value.strip():
        raise _problem("empty title", "give the paper title")
    return value


def _doi(value: str) -> str:
    """Read as the markdown reader reads it: lower case, resolver prefix removed."""
    doi = normalize_doi(value)
    if doi is None:
        raise _problem(f"malformed DOI {_short(value)!r}", 'write "10.1000/xyz"')
    return doi


def _real_date(value: str) -> str:
    parts = [int(part) for part in value.split("-")]
    try:
        datetime.date(*parts, *[1] * (3 - len(parts)))
    except ValueError:
        raise _problem(f"no such date {value!r}", _DATE_FIX) from None
    return value


def _curie(value: str) -> str:
    if normalize_curie(value) != value:
        raise _problem(f"{_short(value)!r} is not a canonical CURIE", _CURIE_FIX)
    return value


def _relation_part(value: str) -> str:
    if not value.strip():
        raise _problem("empty", "give a relation type and two CURIEs")
    return value


def _null_is_empty(value: Any) -> Any:
    """A null top-level array reads as empty, as it always has (the schema asks for an array)."""
    return [] if value is None else value


_Count = Annotated[int, Field(ge=0)]
_Curie = Annotated[str, AfterValidator(_curie), _Pattern(_CURIE)]
#: An entity kind by its value; lax, so that a JSON string becomes the enum member.
_Kind = Annotated[EntityKind, Strict(False)]
_NonBlank = Annotated[str, AfterValidator(_relation_part), _Pattern(r"\S")]
_Pair = Annotated[list[str], Field(min_length=2, max_length=2, description="[heading, text]")]
_NULL_IS_EMPTY = BeforeValidator(_null_is_empty)


# -- the models ------------------------------------------------------------------------------------


class _Object(BaseModel):
    """Strict as JSON is: no unknown fields, no number for a text, no ``2.0`` for ``2``."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _Mention(_Object):
    """One entity as the record lists it."""

    text: str = Field(description="The mention as written.")
    kind: _Kind = Field(description="The kind of entity.")
    identifier: _Curie | None = Field(
        None,
        description="Canonical CURIE paperkg knows (MESH:D009271, pubchem.compound:5360515, "
        "MONDO:0005546, NCBITaxon:9606), or null. Default null.",
    )
    raw_identifier: str = Field(
        "", description='The identifier as the source wrote it. Default: identifier, or "".'
    )
    section: str = Field(
        "",
        description='Where the record lists it: "linked", "fulltext", "mesh-indexing" (NLM\'s '
        'indexing of a PubMed citation) or "text-recognised" (found in the text by '
        "paperkg.text_entities). Default: from the array it is in.",
    )
    line: _Count = Field(0, description="Line in the source record; 0 if unknown (the default).")
    note: str | None = Field(
        None,
        description='Text in brackets after the name, e.g. "human, species". Default null.',
    )

    def value(self, section: str) -> EntityMention:
        given = self.model_fields_set
        return EntityMention(
            text=self.text,
            kind=self.kind,
            identifier=self.identifier,
            raw_identifier=(
                self.raw_identifier if "raw_identifier" in given else self.identifier or ""
            ),
            section=self.section if "section" in given else section,
            line=self.line,
            note=self.note,
        )


class _Warning(_Object):
    """Something the reader accepted but a user should know."""

    line: _Count = Field(description="Line in the source record.")
    message: str

    def value(self) -> ReaderWarning:
        return ReaderWarning(self.line, self.message)


class _Annotation(_Object):
    """A mention at character offsets of title + " " + abstract, end exclusive (end >= start)."""

    start: _Count
    end: _Count
    text: str
    kind: _Kind = Field(description="The kind of entity.")
    identifiers: list[_Curie] = Field(
        default_factory=list,
        description="Canonical CURIEs; several for a composite mention, none if not normalised. "
        "Default [].",
    )
    raw_identifier: str = Field(
        "", description='The identifier as the corpus wrote it. Default "".'
    )

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if start is not None and end < start:
            raise _problem(f"{end} is below {start}", f"use a number >= {start}")
        return end

    def value(self) -> Annotation:
        return Annotation(
            self.start, self.end, self.text, self.kind, tuple(self.identifiers), self.raw_identifier
        )


class _Relation(_Object):
    """A relation the source states, e.g. BC5CDR CID (chemical induces disease)."""

    kind: _NonBlank
    subject: _NonBlank
    object: _NonBlank

    def value(self) -> Relation:
        return Relation(self.kind, self.subject, self.object)


class _MeshHeading(_Object):
    """A MeSH heading NLM's indexers gave the citation."""

    descriptor: str = Field(description="The descriptor as written.")
    identifier: _Curie | None = Field(None, description="Its MESH: CURIE, or null (the default).")
    qualifiers: list[str] = Field(default_factory=list, description="Qualifiers. Default [].")
    major: bool = Field(False, description="A major topic (starred). Default false.")

    def value(self) -> MeshHeading:
        return MeshHeading(self.descriptor, self.identifier, tuple(self.qualifiers), self.major)


def _optional(description: str) -> Any:
    """A field that is null when absent."""
    return Field(None, description=description)


def _array(description: str) -> Any:
    return Field(default_factory=list, description=description)


class RecordModel(_Object):
    """One PaperRecord as one JSON object: the record's fields by name, tuples as arrays, enums as
    their string values. Optional text is null when absent, lists are empty arrays. See
    docs/paper-record-jsonl.md.
    """

    model_config = ConfigDict(title="paperkg paper record (one line of JSON Lines)")

    schema_: _SchemaId = Field(SCHEMA_ID, alias="schema", description="The layout and its version.")
    source: str = Field(
        "",
        description="Where the record came from (file, or file:line). "
        'Default on reading: "<file>:<line>".',
    )
    #: Any value reads: one that is not 64 hex digits is replaced (see
    #: :func:`.jsonl_convert.record_from_json`).
    sha256: Annotated[object, WithJsonSchema({"type": "string"}), _Pattern("^[0-9a-fA-F]{64}$")] = (
        Field(
            None,
            description="Checksum of the record as read (lower-case hex). Default on reading "
            "(or if malformed): sha256 of the line's bytes.",
        )
    )
    title: Annotated[str, AfterValidator(_title), _Pattern(r"\S")] = Field(
        description="The paper title (not blank)."
    )
    authors: Annotated[list[str], _NULL_IS_EMPTY] = _array("Author names in order.")
    origin: str | None = _optional('Where the record was taken from, e.g. "PMC", "PubMed".')
    doi: Annotated[str, AfterValidator(_doi), _Pattern(r"^10\.[0-9]{4,9}/\S+$")] | None = _optional(
        "DOI without resolver, lower case."
    )
    pmid: (
        Annotated[str, _Matches("pmid", "[0-9]{1,12}", 'use digits only, e.g. "16200650"')] | None
    ) = _optional("PubMed ID, digits.")
    pmcid: (
        Annotated[str, _Matches("pmcid", "PMC[0-9]{1,12}", 'write it as "PMC1234567"')] | None
    ) = _optional("PubMed Central ID.")
    journal: str | None = _optional("Journal name.")
    volume: str | None = _optional("Volume.")
    issue: str | None = _optional("Issue.")
    pages: str | None = _optional("Pages.")
    date: (
        Annotated[
            str,
            _Matches("date", "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", _DATE_FIX),
            AfterValidator(_real_date),
        ]
        | None
    ) = _optional("Publication date: YYYY, YYYY-MM or YYYY-MM-DD (a real date).")
    tldr: str | None = _optional("TL;DR section.")
    contribution: str | None = _optional("Contribution section.")
    key_findings: Annotated[list[str], _NULL_IS_EMPTY] = _array("Key findings, one string each.")
    abstract: str | None = _optional("Abstract; paragraphs separated by a blank line.")
    linked_entities: Annotated[list[_Mention], _NULL_IS_EMPTY] = _array(
        "Entities from the record's linked-entities section."
    )
    fulltext_entities: Annotated[list[_Mention], _NULL_IS_EMPTY] = _array(
        "Entities from the record's full-text-entities section."
    )
    full_text: str | None = _optional("Full text.")
    figures_count: _Count | None = _optional("Number of figures.")
    references_count: _Count | None = _optional("Number of references.")
    source_url: str | None = _optional("URL the record was taken from.")
    extra_sections: Annotated[list[_Pair], _NULL_IS_EMPTY] = _array(
        "Sections paperkg has no field for, as [heading, text] pairs."
    )
    warnings: Annotated[list[_Warning], _NULL_IS_EMPTY] = _array("Reader warnings.")
    annotations: Annotated[list[_Annotation], _NULL_IS_EMPTY] = _array(
        "Mentions at offsets (PubTator, BioC)."
    )
    relations: Annotated[list[_Relation], _NULL_IS_EMPTY] = _array("Relations the source states.")
    publication_types: Annotated[list[str], _NULL_IS_EMPTY] = _array(
        'NLM publication types, e.g. "Randomized Controlled Trial".'
    )
    mesh_headings: Annotated[list[_MeshHeading], _NULL_IS_EMPTY] = _array("MeSH headings.")
    source_format: str = Field(
        "jsonl",
        description="Format the record was first read from: markdown, pubtator, bioc-xml, "
        'bioc-json, pubmed-xml, medline, jats, jsonl. Default on reading: "jsonl".',
    )


#: The nested models by class name (pydantic's errors name the class).
_NESTED: dict[str, type[_Object]] = {
    model.__name__: model for model in (_Mention, _Warning, _Annotation, _Relation, _MeshHeading)
}
