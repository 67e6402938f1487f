"""Organisation, site, team and client-viewer writes."""

from __future__ import annotations

import pytest
from django.core import mail

from assessments.errors import Refused
from assessments.models import ClientViewer, Site, Team
from assessments.services.organizations import (
    organization_create,
    site_save,
    team_save,
    viewer_invite,
    viewer_remove,
)
from tests import builders

pytestmark = pytest.mark.django_db


def _url(path: str) -> str:
    return f"https://convergence.example{path}"


def test_organization_slug_clash_is_refused_at_the_slug(workspace):
    organization_create(workspace=workspace, name="Acme", slug="acme")
    with pytest.raises(Refused) as refused:
        organization_create(workspace=workspace, name="Acme again", slug="acme")
    assert refused.value.lines == ["slug: This slug is not available; choose another."]


def test_sites_and_teams_stay_in_their_organisation(workspace, other_workspace):
    org = builders.organization(workspace)
    rival = builders.organization(other_workspace, slug="rival")
    rival_site = rival.sites.get(slug="north")
    with pytest.raises(Refused) as refused:
        site_save(organization=org, site=rival_site, name="Taken", slug="north", country="")
    assert refused.value.lines == ["site: not a site of this organisation"]
    with pytest.raises(Refused) as refused:
        team_save(
            organization=org,
            name="Mixed",
            slug="mixed",
            function="it",
            site=rival_site,
            headcount=None,
        )
    assert refused.value.lines == ["site: not a site of this organisation"]
    assert not Team.objects.filter(slug="mixed").exists()
    assert Site.objects.get(pk=rival_site.pk).name == "North"


def test_team_saved_with_its_headcount_and_renamed_slug(workspace):
    org = builders.organization(workspace)
    team = org.teams.get(slug="it-ops")
    team_save(
        organization=org,
        team=team,
        name="IT Operations",
        slug="it-operations",
        function="it",
        site=None,
        headcount=12,
    )
    team.refresh_from_db()
    assert (team.name, team.slug, team.site, team.headcount) == (
        "IT Operations",
        "it-operations",
        None,
        12,
    )
    with pytest.raises(Refused) as refused:
        team_save(
            organization=org,
            name="Dup",
            slug="ot-north",
            function="ot",
            site=None,
            headcount=None,
        )
    assert refused.value.lines == ["slug: Another team of this organisation uses this slug."]


def test_viewer_invite_mails_after_commit_and_twice_sends_a_new_link(
    workspace, owner, django_capture_on_commit_callbacks
):
    org = builders.organization(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        first = viewer_invite(
            organization=org, email="CIO@acme.example", invited_by=owner, absolute_url=_url
        )
        again = viewer_invite(
            organization=org, email="cio@acme.example", invited_by=owner, absolute_url=_url
        )
    assert (first.created, again.created) == (True, False)
    assert ClientViewer.objects.filter(organization=org).count() == 1
    assert [m.to for m in mail.outbox] == [["CIO@acme.example"], ["cio@acme.example"]]
    message = mail.outbox[0]
    assert message.subject == "Acme: your IT/OT convergence results"
    assert "https://convergence.example/accounts/reset/" in message.body
    assert "Your username is cio@acme.example." in message.body


def test_a_consultant_address_is_refused_and_nobody_is_mailed(
    workspace, consultant, owner, django_capture_on_commit_callbacks
):
    org = builders.organization(workspace)
    consultant.email = "carl@northwind.example"
    consultant.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused) as refused:
        viewer_invite(
            organization=org,
            email="carl@northwind.example",
            invited_by=owner,
            absolute_url=_url,
        )
    assert refused.value.lines == [
        "email: carl@northwind.example is a consultant account; invite another address"
    ]
    assert mail.outbox == []
    assert not ClientViewer.objects.exists()


def test_viewer_of_another_organisation_is_not_removed(workspace, other_workspace, owner):
    org = builders.organization(workspace)
    rival = builders.organization(other_workspace, slug="rival")
    viewer = ClientViewer.objects.create(user=builders.user("vera"), organization=rival)
    with pytest.raises(Refused):
        viewer_remove(organization=org, viewer=viewer)
    assert ClientViewer.objects.filter(pk=viewer.pk).exists()
    viewer_remove(organization=rival, viewer=viewer)
    assert not ClientViewer.objects.filter(pk=viewer.pk).exists()
