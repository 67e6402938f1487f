"""Staff admin for banks: upload with problems on the page, download, publish, new draft, and
published versions that cannot be changed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.files.banks import bank_version_new_draft
from assessments.models import BankVersion, Question
from tests.builders import as_yaml, import_small_bank, small_bank_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def upload(client, data: bytes, name: str = "bank.yaml", draft: bool = False):
    return client.post(
        reverse("admin:assessments_bankversion_upload"),
        {"file": SimpleUploadedFile(name, data), **({"draft": "on"} if draft else {})},
    )


def test_upload_valid_file_publishes_and_redirects(admin_client):
    response = upload(admin_client, as_yaml(small_bank_document()))
    version = BankVersion.objects.get(bank__slug="mini")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:assessments_bankversion_change", args=[version.pk]
    )
    assert version.is_published


def test_upload_shows_every_problem_and_writes_nothing(admin_client):
    doc = small_bank_document(version=0)
    doc["questions"][0]["choices"][0]["score"] = 9
    response = upload(admin_client, as_yaml(doc))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file was refused and nothing was written" in page
    assert "version: must be a whole number of 1 or more" in page
    assert "questions[0].choices[0].score: must be a number between 0 and 3" in page
    assert not BankVersion.objects.exists()


def test_upload_refuses_unknown_extension(admin_client):
    response = upload(admin_client, b"bank: x", name="bank.txt")
    assert "bank.txt: use a .yaml, .yml or .json file" in response.content.decode()


def test_upload_as_draft(admin_client):
    upload(admin_client, as_yaml(small_bank_document()), draft=True)
    assert BankVersion.objects.get().status == "draft"


def test_download_yaml_and_json(admin_client):
    version = import_small_bank()
    url = reverse("admin:assessments_bankversion_download", args=[version.pk])
    response = admin_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="mini-v1.yaml"'
    assert response.content.decode().startswith("bank: mini\nversion: 1\n")
    response = admin_client.get(url + "?format=json")
    assert response.json()["questions"][0]["key"] == "C-1"


def test_changelist_lists_versions_with_upload_link(admin_client):
    import_small_bank()
    page = admin_client.get(reverse("admin:assessments_bankversion_changelist")).content.decode()
    assert "Upload a bank file" in page
    assert "mini" in page and "Mini bank" in page


def test_admin_cannot_change_a_published_version(admin_client):
    version = import_small_bank()
    url = reverse("admin:assessments_bankversion_change", args=[version.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="title"' not in page  # read-only view, no inputs
    response = admin_client.post(url, {"title": "Hacked", "language": "en"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.title == "Mini bank"


def test_admin_cannot_change_or_delete_a_published_question(admin_client):
    version = import_small_bank()
    question = version.questions.get(key="C-1")
    change = reverse("admin:assessments_question_change", args=[question.pk])
    assert admin_client.post(change, {"text": "Hacked"}).status_code == 403
    delete = reverse("admin:assessments_question_delete", args=[question.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Question.objects.get(pk=question.pk).text == "Q1"


def test_admin_cannot_delete_a_published_version(admin_client):
    version = import_small_bank()
    draft = bank_version_new_draft(version=version)
    delete = reverse("admin:assessments_bankversion_delete", args=[version.pk])
    said = admin_client.post(delete, {"post": "yes"}, follow=True).content.decode()
    assert "is published, so it is never deleted" in said  # not "no permission"
    assert "doesn" not in said
    # The change list's bulk action deletes the drafts and says why the published one stays.
    changelist = reverse("admin:assessments_bankversion_changelist")
    form = {"action": "delete_drafts", "_selected_action": [version.pk, draft.pk]}
    page = admin_client.post(changelist, form, follow=True).content.decode()
    assert f"Deleted {draft.label}." in page
    assert f"Kept {version.label}: a published version is never deleted" in page
    assert "permission" not in page
    assert BankVersion.objects.filter(pk=version.pk).exists()
    assert not BankVersion.objects.filter(pk=draft.pk).exists()


def test_new_draft_then_edit_then_publish_actions(admin_client):
    version = import_small_bank()
    changelist = reverse("admin:assessments_bankversion_changelist")
    response = admin_client.post(
        changelist, {"action": "new_draft", "_selected_action": [version.pk]}, follow=True
    )
    assert "Created draft mini v2 from mini v1." in response.content.decode()
    draft = BankVersion.objects.get(number=2)
    assert draft.status == "draft" and draft.questions.count() == 5

    # The draft's change page is editable.
    page = admin_client.get(
        reverse("admin:assessments_bankversion_change", args=[draft.pk])
    ).content.decode()
    assert 'name="title"' in page

    response = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert "Published mini v2." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published


def test_non_staff_cannot_reach_bank_admin(client, consultant):
    client.force_login(consultant)
    response = client.get(reverse("admin:assessments_bankversion_upload"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_draft_questions_audience_is_checkboxes_not_json(admin_client):
    version = bank_version_new_draft(version=import_small_bank())
    question = version.questions.first()
    page = admin_client.get(reverse("admin:assessments_question_change", args=[question.pk]))
    html = page.content.decode()
    assert 'type="checkbox" name="audience" value="it"' in html
    assert "None ticked: everyone." in html
    from assessments.admin import QuestionAdminForm

    data = {f: getattr(question, f) for f in ("key", "text", "help", "weight", "kind", "order")}
    data.update(version=version.pk, dimension=question.dimension_id, audience=["it", "ot"])
    form = QuestionAdminForm(data, instance=question)
    assert form.is_valid(), form.errors
    assert form.save().audience == ["it", "ot"]
