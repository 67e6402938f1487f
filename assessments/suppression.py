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


def groups_singled_out(
    before: Mapping[Key, int],
    after: Mapping[Key, int],
    minimum: int,
    hide_order: Sequence[int] = (1, 2, 0),
) -> list[Key]:
    """The groups whose members a change of the responses (some set aside, some restored)
    would move by 1 to minimum-1 people: comparing such a group's figures before and after
    the change would show those few people's answers (the same subtraction this module
    prevents between groups, only between two moments).

    `before` and `after` count the submitted responses per real key. A group fixes each
    coordinate or leaves it open (`ANY` here means "any"), and holds the responses whose
    *protected* key matches (rule 8b); every such group is checked, which covers every view,
    every breakdown and every intersection. Returns the groups that fail (empty: safe)."""
    keys = [key for key in {*before, *after} if before.get(key, 0) or after.get(key, 0)]
    if not keys:
        return []
    protect_before = protect({k: before.get(k, 0) for k in keys}, minimum, hide_order)
    protect_after = protect({k: after.get(k, 0) for k in keys}, minimum, hide_order)
    width = len(keys[0])
    values: list[set[str]] = [{ANY} for _ in range(width)]
    for protected in (*protect_before.values(), *protect_after.values()):
        for index, value in enumerate(protected):
            values[index].add(value)

    def matches(group: Key, protected: Key | None) -> bool:
        return protected is not None and all(
            g in (ANY, p) for g, p in zip(group, protected, strict=True)
        )

    failing = []
    for group in _product(values):
        moved = 0
        for key in keys:
            was = matches(group, protect_before.get(key)) and before.get(key, 0) > 0
            now = matches(group, protect_after.get(key)) and after.get(key, 0) > 0
            if was and now:
                moved += abs(before.get(key, 0) - after.get(key, 0))
            elif was:
                moved += before.get(key, 0)
            elif now:
                moved += after.get(key, 0)
        if 0 < moved < minimum:
            failing.append(group)
    return failing


def _product(values: Sequence[set[str]]) -> list[Key]:
    groups: list[Key] = [()]
    for options in values:
        groups = [(*group, value) for group in groups for value in sorted(options)]
    return groups
