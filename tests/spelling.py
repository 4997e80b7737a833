"""British spellings the project's public text and configuration must not use (issue 12:
US English). Shared by tests/unit/test_us_english.py and tests/e2e/test_us_english.py.

A short explicit list, matched case-insensitively with no letter before it (so
``license_targets`` and ``COLORS`` are words, ``microorganisms`` is not): licence(s),
catalogue, organise/organisation, programme, defence ("Defense" is US), colour, behaviour,
favour (and unfavourable), analyse/analysed/analysing ("analyses" is also the US plural of
analysis), recognise, authorise, centre.
"""

from __future__ import annotations

import re

BRITISH = re.compile(
    r"(?<![a-z])(?:un)?(?:"
    r"licence|catalogue|organis(?:e|ed|es|ing|ation|ations)(?![a-z])|programme|defence"
    r"|colour|behaviour|favour|analys(?:e|ed|ing)(?![a-z])|recognis|authoris|centre"
    r")[a-z]*",
    re.IGNORECASE,
)


def british(text: str) -> list[str]:
    """Every British form in ``text``, as written."""
    return [match.group(0) for match in BRITISH.finditer(text)]


def findings(text: str, allowed: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line number, word) for each British form in ``text`` whose line does not hold one of
    the ``allowed`` phrases (quoted titles, agency names)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if any(phrase in line for phrase in allowed):
            continue
        found.extend((number, word) for word in british(line))
    return found
