"""The privacy rule (docs/methodology.md, "Privacy"): which responses a group may hold.

Pure Python, no Django. Before any group figure is computed, every submitted response gets a
*protected* (function, team, site): the coordinates of small classes are hidden, team first,
then site, then function, until every class of identical protected triples holds at least
`m` responses (the last small class is completed by joining whole classes to it, IT and OT
given up last). Every group that a surface shows (a team, a site, a function, a filter, any
intersection of them) is then a union of classes of at least m responses, and so is the
difference of any two of them: no sum or difference of shown figures singles anyone out.

The decision depends only on how many responses share each real triple, so it is made once
per campaign from counts and applied to every view, chart, table, export and workshop screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from assessments.vocabulary import ANY, IT_OT

Key = tuple[str, ...]


def protect(
    sizes: Mapping[Key, int],
    minimum: int,
    hide_order: Sequence[int] = (1, 2, 0),
    function_index: int = 0,
) -> dict[Key, Key]:
    """Map every real key (a tuple of coordinates, `ANY` where absent) to its protected key.

    `sizes` counts the responses of each real key; keys with no response are ignored.
    Coordinates are hidden in `hide_order` rounds (for (function, team, site): team, site,
    function); in the last round a small class joins the all-`ANY` class. Then, while that
    class holds between 1 and minimum-1 responses and another class exists, the smallest other
    class joins it whole, chosen first among classes whose function is not IT or OT; ties by
    the lowest key compared as text (`ANY`, "*", sorts before letters, digits and hyphens).
    """
    width = len(next(iter(sizes))) if sizes else 0
    everyone: Key = (ANY,) * width
    mapping: dict[Key, Key] = {key: key for key, count in sizes.items() if count > 0}

    def classes() -> Counter[Key]:
        counted: Counter[Key] = Counter()
        for real, protected in mapping.items():
            counted[protected] += sizes[real]
        return counted

    for number, index in enumerate(hide_order):
        last = number == len(hide_order) - 1
        small = {key for key, count in classes().items() if count < minimum}
        for real, protected in mapping.items():
            if protected in small:
                mapping[real] = everyone if last else _hidden(protected, index)

    counted = classes()
    while 0 < counted.get(everyone, 0) < minimum:
        others = [key for key in counted if key != everyone]
        if not others:
            break
        preferred = [key for key in others if key[function_index] not in IT_OT]
        joining = min(preferred or others, key=lambda key: (counted[key], key))
        for real, protected in mapping.items():
            if protected == joining:
                mapping[real] = everyone
        counted[everyone] += counted.pop(joining)
    return mapping


def _hidden(key: Key, index: int) -> Key:
    return (*key[:index], ANY, *key[index + 1 :])


def protect_votes(votes: Mapping[str, int], minimum: int) -> dict[str, str]:
    """Workshop votes (rule 8f): the function is the only coordinate. A function with fewer
    than `minimum` votes on the question joins `ANY`, then the last round above."""
    mapping = protect({(f,): n for f, n in votes.items()}, minimum, hide_order=(0,))
    return {real[0]: protected[0] for real, protected in mapping.items()}


def classes_of(mapping: Mapping[Key, Key], sizes: Mapping[Key, int]) -> dict[Key, int]:
    """How many responses each protected class holds."""
    counted: Counter[Key] = Counter()
    for real, protected in mapping.items():
        counted[protected] += sizes[real]
    return dict(counted)
