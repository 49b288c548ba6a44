"""Cue lexicons of the rule extractor, in one place so they can be read, tested and extended.

They describe how papers talk (administration, background, negation, improvement, harm), never a
particular drug or paper: the same rules must work on records nobody here has seen.
"""

from __future__ import annotations

import re

__all__ = [
    "ADMINISTRATION",
    "ADVERSE_CAUSAL",
    "ADVERSE_NOUN",
    "AIM_HEADINGS",
    "BACKGROUND",
    "BACKGROUND_SUBSECTIONS",
    "CAUSAL_REACH",
    "CLASS_WORDS",
    "COMPARATOR",
    "CONTROL_ARM",
    "CONTROL_IN_VERSUS_TITLE",
    "CUE_WINDOW",
    "ENDOGENOUS",
    "EXAMPLE_LIST",
    "EXCLUSION",
    "FOUND_EVIDENCE_CUES",
    "HEDGE",
    "IMPROVED",
    "INTENT",
    "MODIFIER_AFTER",
    "MODIFIER_BEFORE",
    "MODIFIER_LIST_AFTER",
    "NEGATED_ADMINISTRATION",
    "NOT_A_CONDITION",
    "NO_BENEFIT",
    "OBJECT_NO_BENEFIT",
    "PLACEBO_ARM",
    "STANDARD_COMPARISON",
    "STUDY_SUBJECT",
    "SYMPTOMS",
    "USUAL_CARE_ARM",
    "WORSENED",
]


#: How far around a mention its cue words are looked for; a regex over the whole sentence per
#: mention would make long sentences quadratic.
CUE_WINDOW = 80
#: A drug and a disease further apart than this (characters) are not read as cause and harm,
#: nor as drug and purpose.
CAUSAL_REACH = 200


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


#: The drug was given or taken (searched in the words just before a drug name).
ADMINISTRATION = _cues(
    r"\b(?:received?|receiving|took|taking|takes?|treated with|treatment with|therapy with|"
    r"randomi[sz]ed to|randomly assigned|assigned to|allocated to|given|administ\w+|"
    r"dose of|doses of|infusions? of|injections? of|use of|course of|trial of|cycles? of|"
    r"started|initiated|switched to|added|combination of|days of|weeks of|months of|"
    r"compared|comparison of|versus|vs\.?|efficacy of|effects? of|response to|responded to)\b"
)
#: The drug follows a negated administration ("not taking an opioid medication").
NEGATED_ADMINISTRATION = re.compile(
    r"\b(?:not|never|nor)\s+(?:\w+\s+){0,1}?(?:taking|receiving|using|on|treated with|"
    r"exposed to|given)\s+(?:an?\s+|any\s+)?$|"
    r"\b(?:no|without)\s+(?:(?:prior|previous|concomitant|current)\s+)?(?:an?\s+|any\s+)?$",
    re.IGNORECASE,
)
#: The drug is a placebo-controlled or head-to-head arm ("X versus placebo", "X or placebo").
COMPARATOR = _cues(r"\b(?:versus|vs\.?|or|and|compared with|than)\s+(?:with\s+)?placebo\b")
#: The drug is only named as background (guidelines, approvals, general statements).
BACKGROUND = _cues(
    r"\bstandard (?:treatment|therapy|care)\b",
    r"\bapproved\b",
    r"\bsuch as\b",
    r"\bcommonly[\s-]used\b",
    r"\bguidelines?\b",
    r"\bpreviously\b",
    r"\bprevious\b",
    r"\bprior\b",
    r"\bmay\b",
    r"\bmight\b",
    r"\bcould be\b",
    r"\bhypothesi[sz]ed\b",
    r"\bha(?:s|ve) been (?:reported|shown|described|used|associated)\b",
    r"\bis used\b",
    r"\bare used\b",
    r"\bused to treat\b",
    r"\bfirst[\s-]line\b",
    r"\brecommended\b",
    r"\bwidely\b",
)
#: Abstract subsections that only set the scene.
BACKGROUND_SUBSECTIONS = frozenset({"background", "context", "introduction", "rationale"})
#: "e.g." and friends introduce examples, not treatments given.
EXAMPLE_LIST = re.compile(r"\((?:e\.g\.|eg\.|for example|i\.e\.)[^)]*\)", re.IGNORECASE)
#: The drug was stopped or barred before the study: not an intervention of this study.
EXCLUSION = _cues(
    r"\bmust (?:discontinue|stop|withdraw)\b",
    r"\b(?:discontinue|stop|withdraw|taper)\w* (?:these|this|those|their|all|any)\s+(?:drugs?|"
    r"medications?|treatments?|agents?)\b",
    r"\bwere (?:excluded|not (?:allowed|permitted))\b",
    r"\bwash[\s-]?out (?:of|from)\b",
    r"\bprohibited\b",
    r"\bexclusion criteri",
)
#: The sentence is about this study's own patients (overrides background cues).
STUDY_SUBJECT = _cues(
    r"\b(?:patients?|women|men|participants|subjects|children|adults|individuals)\b[^.;]{0,80}?"
    r"\bhad (?:previously |already |all )?(?:failed|tried|received|taken|used|not responded to)\b",
    r"\b(?:the|our|this|these|all|each|both) (?:patients?|participants?|subjects?|women|men|"
    r"children|individuals|volunteers)\b",
    r"^(?:patients|participants|subjects|women|men)\s+(?:had|were|received|took|showed)\b",
    r"\bin this (?:\w+\s+)?(?:study|trial|case|report|cohort)\b",
    r"\bthis (?:\w+\s+)?(?:study|trial|case report)\b",
    r"\bwe (?:report|describe|present|observed|found)\b",
    r"\bI report\b",
)
#: The sentence states an aim, not a result.
#: Abstract parts that state the aim.
AIM_HEADINGS = frozenset({"objective", "objectives", "aim", "aims", "purpose"})
INTENT = _cues(
    r"^(?:objective|purpose|aim)s?\b",
    r"\bto (?:evaluate|assess|compare|examine|test|determine|investigate|identify|explore)\b",
    r"\bdesigned to\b",
    r"\b(?:we|was|were) (?:tested|examined|evaluated|assessed|investigated)\b",
    r"\bevaluated the (?:efficacy|effect|effects|safety)\b",
    r"\bwarranted\b",
    r"\bare (?:still )?needed\b",
)
HEDGE = _cues(
    r"\bmay\b",
    r"\bmight\b",
    r"\bcould\b",
    r"\blikely\b",
    r"\bsuggest",
    r"\bpotential\b",
    r"\bpossibl",
    r"\bpreliminary\b",
)
#: No benefit, wherever the drug stands in the clause.
NO_BENEFIT = _cues(
    r"\bdid not (?:\w+ly\s+)?(?:benefit|improve|change|differ|reduce|respond|affect|alter|"
    r"show|lead|result|decrease|relieve|prevent)\b",
    r"\bdid not differentially\b",
    r"\bnot differentially\b",
    r"\b(?:was|were|is|are) not (?:\w+ly\s+)?(?:superior|better|effective|efficacious|different|"
    r"significant|improved|associated with (?:improvement|benefit))",
    r"\bfailed to\b",
    r"\bno (?:statistically )?significant\b",
    r"\bnot (?:statistically )?significant(?:ly)?\b",
    r"\bno longer (?:statistically )?(?:significant|different|superior|better|present)\b",
    r"\bwithout (?:statistical(?:ly)? )?significan(?:ce|t)\b",
    r"\bnumerically\b",
    r"\bcannot be recommended\b",
    r"\b(?:is|are|was|were) not recommended\b",
    r"\b(?:was|were) not (?:sustained|maintained|durable)\b",
    r"\bdid not (?:persist|last|endure)\b",
    r"\blost (?:its |their )?(?:significance|effect|benefit|advantage)\b",
    r"\b(?:had |has |have )?(?:faded|waned|worn off|wore off)\b",
    r"\b(?:was|were) (?:largely |mostly )?lost\b",
    r"\b(?:had )?relapsed\b",
    r"\breturned to (?:near[\s-])?baseline\b",
    r"\b(?:improvement|benefit|effect|response|relief)s? (?:was|were) (?:only )?(?:transient|"
    r"short[\s-]lived|temporary)\b",
    r"\bno (?:patient|participant)s? (?:maintained|sustained|kept)\b",
    r"\bno (?:clinical(?:ly)? )?(?:meaningful )?(?:benefit|evidence|effect|improvement|"
    r"difference|change|efficacy|response)s?\b",
    r"\bneither\b.{0,40}\bchanges?\b",
    r"\bcould not be (?:demonstrated|shown|confirmed)\b",
    r"\bwas not (?:demonstrated|shown)\b",
    r"\bno better than\b",
    r"\bsimilar to placebo\b",
    r"\bineffective\b",
    r"\black of (?:efficacy|benefit|effect)\b",
    r"\bno (?:more|greater|better|larger) than\b",
    # "the results do not support the efficacy of X"
    r"\b(?:do|does|did) not support\b",
    # a comparison reported with its p-value at or above 0.05 outside parentheses ("..., P = .53")
    r"\bp\s*(?:=|>|≥|>=)\s*(?:0?\.(?:[1-9]|0[5-9])\d*|1(?:\.0+)?)\b",
)
#: No benefit where the drug is the object and follows the cue ("despite gabapentin").
OBJECT_NO_BENEFIT = _cues(
    r"\bdespite\b",
    r"\b(?:had |have )?failed(?! to\b)",
    r"\bfailure (?:of|on|with)\b",
    r"\b(?:did not|does not|failed to) (?:benefit|respond|improve)(?: sufficiently)?"
    r" (?:from|to|with)\b",
    r"\brefractory to\b",
    r"\bunresponsive to\b",
    r"\bresistant to\b",
    r"\bno (?:response|benefit) (?:to|from)\b",
    r"\binadequate response to\b",
)
#: The verb that ends the object of an OBJECT_NO_BENEFIT cue.
OBJECT_END = re.compile(
    r"\b(?:received|receive|was|were|is|are|had|took|showed|led|developed|underwent)\b|"
    # a comma before a number or an article opens the next clause ("refractory to standard
    # treatment, 24 weeks of X improved"); before a name it lists ("despite A, B and C")
    r",\s+(?=\d|(?:the|a|an|after|during|over|at)\s)",
    re.IGNORECASE,
)
#: What a review found of the drugs it read: evidence of their use and its significance.
FOUND_EVIDENCE_CUES = (
    r"\bevidence\s+(?:to\s+)?support(?:ed|s|ing)?\b",
    r"\b(?:reached|showed|achieved)\s+(?:statistical\s+)?significance\b",
)
IMPROVED = _cues(
    r"\bimprov(?:ed|es|ing|ement|ements)\b",
    r"\breduc(?:ed|es|ing|tion|tions)\b",
    r"\bdecreas(?:ed|es|ing|e)\b",
    r"\blowered\b",
    r"\bfell\b",
    r"\befficacious\b",
    r"\beffective\b",
    r"\befficacy\b",
    r"\bbenefit(?:ed|s|ted)?\b",
    r"\bbeneficial\b",
    r"\bhelped\b",
    r"\bsuperior to\b",
    r"\bbetter\b(?![\s-]+tolerated)",
    r"\bgreater (?:fall|falls|reduction|reductions|decrease|improvement|weight loss|relief)\b",
    r"\brelie(?:f|ved)\b",
    r"\bremission\b",
    r"\bresolved\b",
    r"\brecover(?:ed|y)\b",
    r"\bsuccessful(?:ly)?\b",
    r"\bpositive (?:results?|effects?|outcomes?)\b",
    r"\b(?:a )?useful\b",
    # what a review found of the drugs it read: "evidence supported X", "X reached significance"
    *FOUND_EVIDENCE_CUES,
    r"\bhelps?\s+(?:to\s+)?control\b",
    r"\bcleared\b",
    r"\brestor(?:ed|es|ing)\b",
    r"\bnormali[sz](?:ed|es|ing)\b",
)
WORSENED = _cues(
    r"\bworsen(?:ed|ing)\b",
    # the verb: "exacerbations" are counted events, fewer of them is a benefit
    r"\bexacerbat(?:ed|es|ing)\b",
    r"\baggravat\w+",
    r"\bdeteriorat\w+",
)
#: A harm caused by the drug ("developed X after", "X following drug administration").
ADVERSE_CAUSAL = _cues(
    r"\bdeveloped\b",
    r"\binduced\b",
    r"\bfollowing\b",
    r"\bafter\b",
    r"\bresult(?:ing|ed)? from\b",
    r"\bcaused by\b",
    r"\bdue to\b",
    r"^-(?:related|induced|associated)\b",
    r"\bappeared\b",
    r"\baccompanied by\b",
    r"\b(?:adverse|drug) reaction\b",
    r"\btoxicity\b",
)
ADVERSE_NOUN = _cues(
    r"\bside[\s-]effects?\b",
    r"\badverse (?:events?|effects?|reactions?)\b",
    r"\bdeveloped\b",
)
#: A chemical name used as a modifier is not the drug itself ("opioid receptors").
MODIFIER_AFTER = re.compile(
    r"^[\s-]*(?:receptors?|antagonis\w*|agonis\w*|withdrawal|dependence|function|activity|"
    r"system|pathway|levels?|reuptake|dysfunction|pathophysiology|signal\w*|tone|"
    r"concentrations?|metabolism|use disorder|addiction|overdose|-norepinephrine|consumption|"
    r"intake|craving|abuse|misuse|loss|wasting|excretion|homeostasis|breath tests?|tests?|"
    r"assays?|scans?|imaging|tracers?|stain\w*|challenge|clamp|uptake|kinetics)\b|"
    # "alcohol-dependent smokers", "opioid-induced constipation": the chemical names the people
    # or the harm, it is not given
    r"^-(?:dependent|induced|related|associated|naive|naïve|exposed|using|abusing|free)\b",
    re.IGNORECASE,
)
MODIFIER_BEFORE = re.compile(
    r"\b(?:endogenous|excess|serum|plasma|urinary|circulating|salivary|nocturnal)\s+$|"
    # "concentrations of X", "levels of X": X is measured
    r"\b(?:concentrations?|levels?|secretion|excretion) of\s+$",
    re.IGNORECASE,
)
#: A chemical listed with others before what is measured of them all ("melatonin and cortisol
#: levels", "X, Y or Z concentrations").
MODIFIER_LIST_AFTER = re.compile(
    r"^(?:\s*(?:,|/|\band\b|\bor\b)\s*[\w-]+(?:\s[\w-]+)?){1,3}?\s+"
    r"(?:levels?|concentrations?)\b",
    re.IGNORECASE,
)
#: Head words of drug classes: a class is not one drug.
CLASS_WORDS = _cues(
    r"\b(?:anti)?depressants?\b",
    r"\binhibitors?\b",
    r"\bantagonists?\b",
    r"\bagonists?\b",
    r"\bblockers?\b",
    r"\bantibod(?:y|ies)\b",
    r"\bmedications?\b",
    r"\bdrugs?\b",
    r"\bagents?\b",
    r"\banalgesics?\b",
    r"\banticonvulsants?\b",
    r"\bantiepileptics?\b",
    r"\bopioids?\b",
    r"\bopiates?\b",
    r"\bsteroids?\b",
    r"\bcorticosteroids?\b",
    r"\bNSAIDs?\b",
    r"\bSSRIs?\b",
    r"\bSNRIs?\b",
    r"\bbenzodiazepines?\b",
    r"^(?:placebo|sham|vehicle|dummy)\b",
    # saline as the control's infusion or spray ("hypertonic saline" is a treatment)
    r"^(?:normal |physiological |isotonic |0\.9% )?saline$",
    r"\bantipsychotics?\b",
    r"\bvitamins?\b",
    r"\bcontraceptives?\b",
    r"\bantibiotics?\b",
    r"\bantihypertensives?\b",
    r"\bstatins\b",
    r"\bbisphosphonates\b",
    r"\bbiologics?\b",
    r"\bdiuretics\b",
    r"\banticoagulants?\b",
    r"\bantiplatelets?\b",
    r"\bantihistamines?\b",
    r"\btriptans\b",
    r"\bglucocorticoids?\b",
    r"\bimmunosuppressants?\b",
    r"\bantiretrovirals?\b",
    r"\bantivirals?\b",
    r"\bbronchodilators?\b",
    r"\banticholinergics?\b",
    r"\bantimuscarinics?\b",
    r"\bgabapentinoids?\b",
    r"\btricyclics?\b",
    r"\bstimulants?\b",
    r"\bhypnotics?\b",
    r"\bsedatives?\b",
    r"\bneuroleptics?\b",
    r"\bDMARDs?\b",
    r"\bNOACs?\b",
    r"\bDOACs?\b",
    r"\bregimens?\b",
    r"\btherap(?:y|ies)\b",
)
#: Substances the body makes; named as mechanisms, not given as treatments.
ENDOGENOUS = _cues(
    r"^(?:serotonin|dopamine|norepinephrine|noradrenaline|adrenaline|epinephrine|endorphins?|"
    r"enkephalins?|dynorphins?|cortisol|histamine|glutamate|gaba|acetylcholine|cytokines?|"
    r"glucose|oxygen|water|calcium|sodium|potassium|cholesterol|phosphate|phosphorus|magnesium|"
    r"creatinine|urea|bilirubin|urate|uric acid|triglycerides?|hemoglobin|haemoglobin|"
    # laboratory markers: measured, never given
    r"hba1c|a1c|hemoglobin a1c|haemoglobin a1c|glycated (?:hemoglobin|haemoglobin)|"
    r"glycosylated (?:hemoglobin|haemoglobin)|(?:ldl|hdl)(?:[\s-]c|[\s-]cholesterol)?|"
    r"troponin(?: [it])?|lactate|ferritin|c-reactive protein|crp)$"
)
#: Words annotators tag as diseases that name no condition a drug could be given for.
NOT_A_CONDITION = _cues(
    r"^(?:serious |severe |treatment[\s-]emergent )?(?:adverse (?:drug )?(?:events?|effects?|"
    r"reactions?)|side[\s-]effects?|aes?|saes?|toxicit(?:y|ies)|complications?|death|deaths|"
    r"mortality|injur(?:y|ies)|syndrome|disease|diseases|disorders?|infections?)$",
)
#: Symptoms, not the disease a paper studies.
SYMPTOMS = _cues(
    r"^(?:\w+\s)?pain$",
    r"^fatigue$",
    r"^insomnia$",
    r"^(?:sleep disturbances?|disordered sleep|sleep problems?)$",
    r"^(?:cognitive (?:deficits?|impairment|dysfunction))$",
    r"^(?:headaches?|nausea|dizziness|somnolence|vomiting|tremor|stiffness|inflammation)$",
    r"^(?:depressive symptoms|anxiety symptoms|hyperalgesia|allodynia|tenderness)$",
)

#: Words that name a control arm; the results model's features read them, so a change here
#: changes the fitted model's inputs (refit with tools/train_results.py).
CONTROL_ARM = re.compile(
    r"\b(?:placebo|control\w*|usual care|standard|sham|conventional|no treatment|untreated|"
    r"vehicle|saline)\b",
    re.IGNORECASE,
)
#: A placebo-like arm, and a usual-care or no-treatment arm, as a finding's comparator.
PLACEBO_ARM = re.compile(r"\b(placebo|sham|vehicle)\b", re.IGNORECASE)
USUAL_CARE_ARM = re.compile(
    r"\b(usual care|standard (?:of )?care|standard (?:therapy|treatment)|treatment as usual|"
    r"no treatment|no intervention|wait(?:ing)?[- ]list|control group)\b",
    re.IGNORECASE,
)
#: What in an "A versus B" title makes B the control (placebo, usual care, "A plus B versus B
#: alone"); without it, and without a standard named in the abstract, both drugs were tried.
CONTROL_IN_VERSUS_TITLE = re.compile(
    r"\b(?:placebo|standard|usual|conventional|alone|monotherapy|plus|add[\s-]?on|added|"
    r"with(?:out)?|combin\w*|no treatment|observation|sham|saline|vehicle|dummy)\b",
    re.IGNORECASE,
)
#: What in the abstract makes one of the drugs the control (a test against a standard).
STANDARD_COMPARISON = re.compile(
    r"\bnon-?inferior\w*|\bsuperior\w*|\bstandard\b|\bconventional\b|\bfirst-line\b|"
    r"\busual care\b|\bcontrol (?:group|arm)\b|\breference\b",
    re.IGNORECASE,
)
