"""A published bank version never changes: through services, the ORM, the admin or the CLI."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from assessments.errors import Refused
from assessments.files.banks import bank_version_new_draft, bank_version_publish
from assessments.models import (
    BankVersion,
    Choice,
    Dimension,
    PublishedVersionError,
    Question,
    Stage,
)
from tests.builders import as_yaml, import_small_bank, small_bank_document

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Bank version mini v1 is published and cannot be changed; create a new draft from it instead."
)


@pytest.fixture
def published():
    return import_small_bank()


def snapshot(version):
    from assessments.files.banks import bank_export_document

    return bank_export_document(version)


# --- Model and queryset paths (what every service uses) ------------------------------------


def test_saving_a_published_version_is_refused(published):
    before = snapshot(published)
    published.title = "Renamed"
    with pytest.raises(PublishedVersionError) as exc:
        published.save()
    assert exc.value.messages == [MESSAGE]
    assert snapshot(published) == before


@pytest.mark.parametrize(
    "model,lookup,change",
    [
        (Stage, {"level": 0}, {"name": "Renamed"}),
        (Dimension, {"key": "collab"}, {"weight": 5}),
        (Question, {"key": "C-1"}, {"text": "Changed?"}),
        (Choice, {"key": "3", "question__key": "C-1"}, {"score": 0}),
    ],
)
def test_changing_anything_under_a_published_version_is_refused(published, model, lookup, change):
    before = snapshot(published)
    row = model.objects.get(**lookup)
    for field, value in change.items():
        setattr(row, field, value)
    with pytest.raises(PublishedVersionError, match="is published and cannot be changed"):
        row.save()
    with pytest.raises(PublishedVersionError):
        row.delete()
    with pytest.raises(PublishedVersionError):
        model.objects.filter(**lookup).update(**change)
    with pytest.raises(PublishedVersionError):
        model.objects.filter(**lookup).delete()
    assert snapshot(published) == before


def test_adding_under_a_published_version_is_refused(published):
    dimension = published.dimensions.get(key="collab")
    with pytest.raises(PublishedVersionError):
        Question.objects.create(version=published, dimension=dimension, key="C-9", text="New")
    question = published.questions.get(key="C-1")
    with pytest.raises(PublishedVersionError):
        Choice.objects.create(question=question, key="4", score=3, text="More")
    assert published.questions.count() == 5


def test_deleting_a_published_version_is_refused(published):
    with pytest.raises(PublishedVersionError):
        published.delete()
    with pytest.raises(PublishedVersionError):
        BankVersion.objects.filter(pk=published.pk).delete()
    with pytest.raises(PublishedVersionError):
        BankVersion.objects.filter(pk=published.pk).update(title="x")
    assert BankVersion.objects.filter(pk=published.pk, title="Mini bank").exists()


def test_moving_a_question_out_of_a_published_version_is_refused(published):
    draft = bank_version_new_draft(version=published)
    question = published.questions.get(key="C-1")
    question.version = draft
    question.dimension = draft.dimensions.get(key="collab")
    with pytest.raises(PublishedVersionError):
        question.save()


# --- Service paths -------------------------------------------------------------------------


def test_publishing_again_is_refused(published):
    with pytest.raises(Refused) as exc:
        bank_version_publish(version=published)
    assert exc.value.lines == ["mini v1 is already published."]


def test_drafts_can_be_edited_then_published_and_are_frozen_after(published):
    draft = bank_version_new_draft(version=published)
    assert (draft.number, draft.status) == (2, "draft")
    question = draft.questions.get(key="C-1")
    question.text = "Reworded"
    question.save()
    bank_version_publish(version=draft)
    draft.refresh_from_db()
    assert draft.is_published
    question.refresh_from_db()
    question.text = "Again"
    with pytest.raises(PublishedVersionError):
        question.save()
    # The original is untouched.
    assert published.questions.get(key="C-1").text == "Q1"


def test_publishing_an_invalid_draft_is_refused_with_the_file_rules(published):
    draft = bank_version_new_draft(version=published)
    draft.dimensions.update(lens="enabler")
    with pytest.raises(Refused) as exc:
        bank_version_publish(version=draft)
    assert exc.value.lines == ["dimensions: at least one dimension must have lens: stage"]
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- Command line --------------------------------------------------------------------------


def test_cli_reimport_with_changes_is_refused(published, tmp_path):
    before = snapshot(published)
    changed = tmp_path / "mini.yaml"
    doc = small_bank_document()
    doc["questions"][0]["choices"][0]["score"] = 1
    changed.write_bytes(as_yaml(doc))
    with pytest.raises(CommandError) as exc:
        call_command("import_bank", str(changed))
    assert "mini version 1 already exists with different content" in str(exc.value)
    assert "Import the changed bank as version 2." in str(exc.value)
    assert snapshot(published) == before
