"""The words the rules are written in (docs/methodology.md): functions, the non-answers, the
answers to a decision question, and the defaults. Pure Python, imported by the pure modules
(`scoring`, `suppression`) and by the rest of the app, so each word has one spelling."""

from __future__ import annotations

import re

FUNCTIONS: tuple[str, ...] = ("it", "ot", "business", "leadership", "other")
IT_OT: tuple[str, str] = ("it", "ot")

NA = "NA"  # "this does not apply to us": counted, never scored
DK = "DK"  # "I cannot tell" (Don't know): counted, never scored
NON_ANSWERS: tuple[str, str] = (NA, DK)

# A decision question asks who decides; its answers are always these (rule 15).
DECISION_ANSWERS: tuple[str, ...] = ("it", "ot", "joint", "vendor", "nobody")
# Who decides, in a word: the phone's decision grid and the decision matrix (dashboard, PDF).
DECISION_SHORT: dict[str, str] = {
    "it": "IT",
    "ot": "OT",
    "joint": "Together",
    "vendor": "Vendor",
    "nobody": "Nobody",
}
# Who decides, in the respondent's words: the survey, and what a workshop agreed.
DECISION_LABELS = {
    "it": "IT",
    "ot": "OT (the plant, engineering, maintenance)",
    "joint": "IT and OT together",
    "vendor": "A vendor or service provider",
    "nobody": "Nobody: it is not decided",
}
CONTESTED = "contested"

ANY = "*"  # a coordinate hidden (or absent) in a protected (function, team, site)

DEFAULT_MIN_GROUP_SIZE = 5
DEFAULT_GAP_THRESHOLD = 0.5
DEFAULT_TARGET = 2

SCORED = "scored"
DECISION = "decision"
QUESTION_KINDS: tuple[str, str] = (SCORED, DECISION)

# No line breaks or other control characters: names go into pages, files and e-mail headers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A BCP 47 language tag as banks, campaigns and the language switch take it: de, de-CH, cs.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
