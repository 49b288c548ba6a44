"""One spelling for the ways a record writes the same name: British and American spelling
("anaemia", "anemia"), an eponym with or without its possessive ("Alzheimer's disease",
"Alzheimer disease", "Graves' disease"), a letter with or without its accent ("Sjögren",
"Sjogren"), a Greek letter or its name ("interferon α-2a", "interferon alfa-2a";
"β-thalassemia", "beta-thalassemia"), an abbreviation written inside the name
("methicillin-resistant Staphylococcus aureus (MRSA) infection") and words joined by a slash
("attention-deficit/hyperactivity disorder").

A record's linked entities and its full-text entities often name one disease in two of these
ways, each with an identifier of another vocabulary (MONDO, MeSH); without one spelling they
stay two concepts, and a finding on one misses a question asked with the other.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["spelling_key"]

#: British spellings of medical word parts and the American spelling they are matched as.
_BRITISH = {
    "aem": "em",  # anaemia, leukaemia, ischaemia, haematoma, septicaemia
    "haem": "hem",
    "oedem": "edem",
    "oesoph": "esoph",
    "oestr": "estr",
    "diarrhoe": "diarrhe",
    "dyspnoe": "dyspne",
    "apnoe": "apne",
    "paed": "ped",
    "foet": "fet",
    "coeliac": "celiac",
    "gynaec": "gynec",
    "anaesth": "anesth",
    "tumour": "tumor",
    "sulph": "sulf",
    "isation": "ization",
}
_BRITISH_PART = re.compile("|".join(sorted(_BRITISH, key=len, reverse=True)))
#: Greek letters as a drug or disease name writes them out (INN spelling "alfa" too).
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ω": "omega"}
_GREEK_NAME = re.compile("[" + "".join(_GREEK) + r"]|\balfa\b")
#: "Alzheimer's", "Graves'", "Sjögren’s": the possessive of an eponym.
_POSSESSIVE = re.compile(r"(?<=\w)(?:['’]s|(?<=s)['’])(?=\s|$)")
#: "(MRSA)" written inside a name, between two of its words.
_INNER_ABBREVIATION = re.compile(r"\s+\([^()\s]{2,10}\)(?=\s)")


def spelling_key(key: str) -> str:
    """``key`` (a normalised, lower-case label) with one spelling for each of those variants."""
    if not key.isascii() or "alfa" in key:
        key = _GREEK_NAME.sub(lambda m: _GREEK.get(m.group(0), "alpha"), key)
    if not key.isascii():
        key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    key = _INNER_ABBREVIATION.sub("", key).replace("/", " ")
    key = _POSSESSIVE.sub("", key)
    return _BRITISH_PART.sub(lambda m: _BRITISH[m.group(0)], key)
