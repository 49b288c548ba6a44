"""Other ways a disease name is written than the one its source gave: British or American
spelling and "cancer" for the carcinoma or neoplasm a heading names, added to the vocabulary
beside the names the sources gave; and the other number ("pleural effusion" of "pleural
effusions"), which a composite's conjuncts are looked up by (the head is written once, in the
number of the last conjunct). As names of their own, other numbers cost precision on both
test sets (most names the sources give are there in both numbers already).
"""

from __future__ import annotations

import re

__all__ = ["other_numbers", "spellings"]

#: Words a disease name is written with either way: British and American spellings, and
#: "cancer" for the carcinoma or neoplasm a heading names (MeSH's own entry terms do the same).
_SPELLINGS = (
    ("anaem", "anem"),
    ("oedem", "edem"),
    ("oesophag", "esophag"),
    ("haem", "hem"),
    ("diarrhoe", "diarrhe"),
    ("leukaem", "leukem"),
    ("ischaem", "ischem"),
    ("paediatric", "pediatric"),
    ("tumour", "tumor"),
    ("dyspnoe", "dyspne"),
    ("apnoe", "apne"),
    ("oestrogen", "estrogen"),
    ("foet", "fet"),
)
_CANCER_HEADS = re.compile(r"\b(?:carcinoma|neoplasms?)$")


def spellings(key: str) -> set[str]:
    """Other ways a disease name (a vocabulary key) is written: "anaemia" for "anemia",
    "non-small-cell lung cancer" for "non-small-cell lung carcinoma", "lung cancer" for
    "lung neoplasms". Only ever added beside the names the sources gave, never over them.
    """
    found = {key}
    for british, american in _SPELLINGS:
        for form in list(found):
            if british in form:
                found.add(form.replace(british, american))
            elif american in form:
                found.add(form.replace(american, british))
    for form in list(found):
        if _CANCER_HEADS.search(form) and " " in form:
            found.add(_CANCER_HEADS.sub("cancer", form))
    return found - {key}


def other_numbers(key: str) -> set[str]:
    """The name (a vocabulary key) with its last word in the other number: "pleural effusion"
    for "pleural effusions", "neuropathies" for "neuropathy".
    """
    stem, _, word = key.rpartition(" ")
    return {f"{stem} {other}".lstrip() for other in _numbers(word)}


def _numbers(word: str) -> set[str]:
    """The other number of a name's last word, by the regular English endings ("neuropathy",
    "neuropathies"; "psychosis", "psychoses"; "tumor", "tumors"). Latin singulars in -us, -is
    or -as get none, nor do words under five letters ("aids" is no plural of "aid"); a form
    that is no word costs a dictionary entry and is never matched.
    """
    if len(word) < 5 or not word.isalpha():
        return set()
    if word.endswith("ies"):
        return {word[:-3] + "y"}
    if word.endswith(("sses", "xes", "ches", "shes")):
        return {word[:-2]}
    if word.endswith("ses"):
        return {word[:-1], word[:-2] + "is"}
    if word.endswith("sis"):
        return {word[:-2] + "es"}
    if word.endswith(("ss", "x", "ch", "sh")):
        return {word + "es"}
    if word.endswith(("us", "is", "as")):
        return set()
    if word.endswith("s"):
        return {word[:-1]}
    if word.endswith("y") and word[-2] not in "aeiou":
        return {word[:-1] + "ies"}
    return {word + "s"}
