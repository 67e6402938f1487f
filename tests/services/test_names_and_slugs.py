"""Issue 16.12 and 16.13: slug clashes say nothing of other workspaces; names refuse line
breaks everywhere they enter (form, service, file), so no e-mail header breaks after a write."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from assessments.errors import Refused
from assessments.files.organizations import organization_import
from assessments.models import Invitation, Organization
from assessments.services.organizations import organization_create, team_save
from assessments.services.survey import invitation_create
from tests import builders

pytestmark = pytest.mark.django_db


def test_another_workspaces_slug_is_just_not_available(client, owner, workspace, other_workspace):
    builders.organization(other_workspace, slug="globex")
    builders.campaign(other_workspace, slug="globex-2026", org=Organization.objects.get())
    client.force_login(owner)
    page = client.post(
        reverse("assessments:organization-create"), {"name": "Globex", "slug": "globex"}
    ).content.decode()
    assert "This slug is not available; choose another." in page
    assert "already exists" not in page and "Organization with this" not in page
    with pytest.raises(Refused) as refused:
        organization_create(workspace=workspace, name="Globex", slug="globex")
    assert refused.value.lines == ["slug: This slug is not available; choose another."]
    mine = builders.organization(workspace)
    page = client.post(
        reverse("assessments:campaign-create", args=[mine.slug]),
        {
            "name": "Mine",
            "slug": "globex-2026",
            "bank_version": mine.campaigns.model.objects.get().bank_version_id,
            "min_group_size": 5,
            "gap_threshold": 0.5,
        },
    ).content.decode()
    assert "This slug is not available; choose another." in page
    assert "Campaign with this" not in page


def test_line_breaks_in_names_are_refused_before_anything_is_written(
    client, owner, workspace, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    page = client.post(
        reverse("assessments:organization-create"),
        {"name": "Evil\r\nBcc: all@example.com", "slug": "evil"},
    ).content.decode()
    assert "must not contain line breaks or other control characters" in page
    assert not Organization.objects.filter(slug="evil").exists()
    with pytest.raises(Refused) as refused:
        organization_create(workspace=workspace, name="Evil\nCorp", slug="evil")
    assert refused.value.lines == ["name: must not contain line breaks or other control characters"]
    org = builders.organization(workspace)
    with pytest.raises(Refused):
        team_save(
            organization=org, name="A\tB", slug="ab", function="it", site=None, headcount=None
        )
    campaign = builders.campaign(workspace, org=org)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused) as refused:
        invitation_create(
            campaign=campaign,
            kind="person",
            name="Pat\r\nBcc: x@example.com",
            email="pat@example.com",
            base_url="http://testserver/",
        )
    assert refused.value.lines == ["name: must not contain line breaks or other control characters"]
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_organisation_file_refuses_line_breaks_in_names(workspace):
    data = b'organization: evil\nname: "Evil\\r\\nCorp"\nsites: []\nteams: []\n'
    with pytest.raises(Refused) as refused:
        organization_import(data=data, fmt="yaml", workspace=workspace)
    assert refused.value.lines == ["name: contains the control character U+000D"]
