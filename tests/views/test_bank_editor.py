"""The question-bank editor (issue 21, point 6): a draft on one page, edited in place, checked
by the rules of a bank file with each problem at its field, previewed as a respondent,
compared with the previous version, then published. Staff only: anyone else gets 404."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.files.banks import bank_export_document, bank_version_new_draft
from assessments.models import BankVersion, Question
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """What a browser submits for the page's editor form (the first submit button aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "bank-editor":
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data


def form_of(page) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(page.content.decode())
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields


def _set(fields: dict[str, list[str]], name: str, value: str) -> None:
    fields[name] = [value]


@pytest.fixture
def draft(db):
    published = builders.default_bank()
    return bank_version_new_draft(version=published)


@pytest.fixture
def editor(client, staff, draft):
    client.force_login(staff)
    return reverse("assessments:bank-edit", args=[draft.pk])


def _key_field(fields: dict[str, list[str]], key: str) -> str:
    """The form prefix (q7) of the question with `key`."""
    return next(
        n[: -len("-key")]
        for n, v in fields.items()
        if n.endswith("-key") and v == [key] and n.startswith("q") and "-c" not in n
    )


def test_a_draft_posted_back_unchanged_is_the_same_bank(client, draft, editor):
    before = bank_export_document(draft)
    page = client.get(editor)
    assert page.status_code == 200
    fields = form_of(page)
    assert len(
        [n for n in fields if n.endswith("-text") and n.count("-") == 1 and n[0] == "q"]
    ) == (len(before["questions"]))
    saved = client.post(editor, fields | {"action": ["save"]}, follow=True)
    assert f"Saved the draft {draft.label}." in visible_text(saved)
    assert bank_export_document(draft) == before


def test_texts_choices_audience_switches_and_translations_edit_in_place(client, draft, editor):
    fields = form_of(client.get(editor))
    first = bank_export_document(draft)["questions"][0]
    q = _key_field(fields, first["key"])
    _set(fields, f"{q}-text", "How often do IT and OT plan together?")
    _set(fields, f"{q}-c0-score", "0.5")
    _set(fields, f"{q}-c1-text", "Once a year")
    fields[f"{q}-audience"] = ["it", "ot"]
    _set(fields, f"{q}-allow_na", "on")
    fields.pop(f"{q}-allow_dont_know", None)
    _set(fields, f"t-de-{q}-text", "Wie oft planen IT und OT gemeinsam?")
    client.post(editor, fields | {"action": ["save"]})
    question = Question.objects.get(version=draft, key=first["key"])
    assert question.text == "How often do IT and OT plan together?"
    assert question.audience == ["it", "ot"] and question.allow_na and not question.allow_dont_know
    choices = list(question.choices.all())
    assert choices[0].score == 0.5 and choices[1].text == "Once a year"
    draft.refresh_from_db()
    assert draft.translations["de"]["questions"][first["key"]]["text"] == (
        "Wie oft planen IT und OT gemeinsam?"
    )


def test_reordering_by_position_changes_the_survey_order(client, draft, editor):
    fields = form_of(client.get(editor))
    doc = bank_export_document(draft)
    dimension = doc["questions"][0]["dimension"]
    keys = [x["key"] for x in doc["questions"] if x["dimension"] == dimension]
    last = _key_field(fields, keys[-1])
    _set(fields, f"{last}-position", "0")  # before the first
    client.post(editor, fields | {"action": ["save"]})
    after = [
        x["key"] for x in bank_export_document(draft)["questions"] if x["dimension"] == dimension
    ]
    assert after == [keys[-1], *keys[:-1]]


def test_problems_are_shown_at_their_fields_and_nothing_is_saved(client, draft, editor):
    before = bank_export_document(draft)
    fields = form_of(client.get(editor))
    first, second = before["questions"][0]["key"], before["questions"][1]["key"]
    q1, q2 = _key_field(fields, first), _key_field(fields, second)
    _set(fields, f"{q1}-text", "")
    _set(fields, f"{q2}-key", first)  # two questions with one key
    _set(fields, f"{q1}-c0-score", "seven")
    page = client.post(editor, fields | {"action": ["save"]})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Not saved:" in visible_text(page)
    # Each message sits right under its own field.
    text_at = html.index(f'name="{q1}-text"')
    assert "must not be empty" in html[text_at : text_at + 600]
    score_at = html.index(f'name="{q1}-c0-score"')
    assert "must be a number" in html[score_at : score_at + 500]
    key_at = html.index(f'id="{q2}-key"')
    assert "is used by another question" in html[key_at : key_at + 500]
    # What was typed is still there, and the stored draft did not change.
    assert 'value="seven"' in html
    assert bank_export_document(draft) == before


def test_adding_and_removing_keep_what_was_typed(client, draft, editor):
    fields = form_of(client.get(editor))
    first = bank_export_document(draft)["questions"][0]
    q = _key_field(fields, first["key"])
    _set(fields, f"{q}-text", "Typed but not saved")
    dimension = fields[f"{q}-dimension"][0]
    added = client.post(editor, fields | {"action": [f"add-question:{dimension}"]})
    assert "Not saved yet: press Save draft to keep it." in visible_text(added)
    assert "Typed but not saved" in added.content.decode()
    fields = form_of(added)
    new = max(
        (n for n in fields if n.startswith("q") and n.endswith("-key") and "-c" not in n),
        key=lambda n: int(n[1:-4]),
    )[:-4]
    _set(fields, f"{new}-key", "NEW-1")
    _set(fields, f"{new}-text", "Is there one change board for IT and OT?")
    for j, text in enumerate(["No", "Planned", "For some plants", "For all plants"]):
        _set(fields, f"{new}-c{j}-text", text)
    _set(fields, f"{q}-delete", "on")  # and remove the first
    client.post(editor, fields | {"action": ["save"]})
    doc = bank_export_document(draft)
    keys = [x["key"] for x in doc["questions"]]
    assert "NEW-1" in keys and first["key"] not in keys
    added_question = next(x for x in doc["questions"] if x["key"] == "NEW-1")
    assert [c["score"] for c in added_question["choices"]] == [0, 1, 2, 3]


def test_preview_shows_the_draft_as_a_respondent_sees_it(client, draft, editor):
    fields = form_of(client.get(editor))
    first = bank_export_document(draft)["questions"][0]
    _set(fields, f"{_key_field(fields, first['key'])}-text", "A question only in the draft")
    client.post(editor, fields | {"action": ["save"]})
    preview = visible_text(
        client.get(reverse("assessments:bank-preview", args=[draft.pk]) + "?function=it")
    )
    assert (
        "A question only in the draft" in preview and "Nothing you choose here is saved" in preview
    )
    german = visible_text(
        client.get(
            reverse("assessments:bank-preview", args=[draft.pk]) + "?function=it&language=de"
        )
    )
    assert "A question only in the draft" not in german  # its German text is the old one


def test_the_diff_names_each_change_then_publish_freezes_it(client, draft, editor):
    fields = form_of(client.get(editor))
    doc = bank_export_document(draft)
    first = doc["questions"][0]
    q = _key_field(fields, first["key"])
    _set(fields, f"{q}-text", "Changed text")
    _set(fields, f"{q}-c1-score", "1.5")
    client.post(editor, fields | {"action": ["save"]})
    publish = reverse("assessments:bank-publish", args=[draft.pk])
    page = visible_text(client.get(publish))
    previous = BankVersion.objects.get(bank=draft.bank, number=draft.number - 1)
    assert f"What changes against {previous.label}" in page
    assert f"changed question {first['key']}" in page
    assert f"text: {first['text'][:60]}" in page and "→ Changed text" in page
    assert "answer 1, score: 1 → 1.5" in page
    done = client.post(publish, follow=True)
    assert f"Published {draft.label}" in visible_text(done)
    draft.refresh_from_db()
    assert draft.is_published
    # A published version never changes: the editor sends you to make a new draft.
    again = client.get(editor, follow=True)
    assert "is published: it never changes" in visible_text(again)


def test_a_draft_that_breaks_the_rules_is_not_published(client, staff, db):
    builders.default_bank()
    version = BankVersion.objects.get()
    draft = bank_version_new_draft(version=version)
    Question.objects.filter(version=draft).update(text="")
    client.force_login(staff)
    page = visible_text(client.post(reverse("assessments:bank-publish", args=[draft.pk])))
    assert "It was not published" in page and "questions[0].text: must not be empty" in page
    draft.refresh_from_db()
    assert not draft.is_published


def test_staff_only(client, consultant, draft):
    client.force_login(consultant)
    for name in ("bank-list", "bank-edit", "bank-preview", "bank-publish", "bank-new-draft"):
        args = [] if name == "bank-list" else [draft.pk]
        assert client.get(reverse(f"assessments:{name}", args=args)).status_code == 404
        assert client.post(reverse(f"assessments:{name}", args=args)).status_code == 404


def test_the_list_offers_a_new_draft_of_a_published_version(client, staff, db):
    version = builders.default_bank()
    client.force_login(staff)
    listed = visible_text(client.get(reverse("assessments:bank-list")))
    assert version.label in listed and "New draft from it" in listed
    made = client.post(reverse("assessments:bank-new-draft", args=[version.pk]), follow=True)
    draft = BankVersion.objects.get(bank=version.bank, number=version.number + 1)
    assert f"Made {draft.label}, a draft copy of {version.label}" in visible_text(made)
    assert not draft.is_published


def test_the_editor_reads_a_fixed_number_of_queries_whatever_the_banks_size(client, staff, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = bank_version_new_draft(version=builders.import_small_bank())  # 5 questions
    large = bank_version_new_draft(version=builders.default_bank())  # 63 questions
    client.force_login(staff)
    client.get(reverse("assessments:bank-list"))  # the session's first request does more
    counts = []
    for version in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("assessments:bank-edit", args=[version.pk]))
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == EDITOR_QUERIES, counts


EDITOR_QUERIES = 8  # session, user, the version, its stages, dimensions, questions, choices


def test_hostile_positions_and_dimension_numbers_are_read_as_nothing(client, draft, editor):
    fields = form_of(client.get(editor))
    first = bank_export_document(draft)["questions"][0]
    q = _key_field(fields, first["key"])
    _set(fields, f"{q}-position", "nan")
    _set(fields, f"{q}-dimension", "inf")  # no such dimension: the question is dropped
    page = client.post(editor, fields | {"action": ["add-dimension"]})
    assert page.status_code == 200
    assert "Not saved yet" in visible_text(page)
