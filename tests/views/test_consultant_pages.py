"""Consultant pages: organisations, sites, teams, campaigns, links, completion, members."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import (
    Campaign,
    ClientViewer,
    Invitation,
    Membership,
    Organization,
    Site,
    Team,
)
from assessments.services.survey import (
    hash_token,
    invitation_create,
    response_start,
    response_submit,
)
from tests import builders
from tests.html import table_rows, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(workspace):
    return builders.organization(workspace)


@pytest.fixture
def campaign(workspace, org):
    return builders.campaign(workspace, org=org)


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def test_home_lists_and_searches_organisations(logged_in, workspace, org):
    builders.organization(workspace, slug="zenith")
    page = logged_in.get(reverse("assessments:home")).content.decode()
    assert "Acme" in page and "Zenith" in page
    page = logged_in.get(reverse("assessments:home"), {"q": "zen"}).content.decode()
    assert "Zenith" in page and "Acme" not in page


def test_create_organisation_then_sites_and_teams(logged_in, workspace):
    response = logged_in.post(
        reverse("assessments:organization-create"),
        {"name": "Globex", "slug": "globex", "industry": "Chemicals"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(slug="globex")
    assert (org.workspace, org.industry) == (workspace, "Chemicals")
    logged_in.post(
        reverse("assessments:site-create", args=["globex"]),
        {"name": "Plant A", "slug": "plant-a", "country": "FR"},
    )
    logged_in.post(
        reverse("assessments:team-create", args=["globex"]),
        {
            "name": "Automation",
            "slug": "automation",
            "function": "ot",
            "site": Site.objects.get(slug="plant-a").pk,
        },
    )
    team = Team.objects.get(organization=org)
    assert (team.function, team.site.slug) == ("ot", "plant-a")
    # A duplicate slug within the organisation is a form error, not a crash.
    response = logged_in.post(
        reverse("assessments:team-create", args=["globex"]),
        {"name": "Again", "slug": "automation", "function": "it"},
    )
    assert "Another team of this organisation uses this slug." in response.content.decode()
    page = logged_in.get(reverse("assessments:organization-detail", args=["globex"]))
    assert "Plant A" in page.content.decode() and "Automation" in page.content.decode()


def test_upload_organisation_file_shows_problems_or_imports(logged_in, workspace):
    url = reverse("assessments:organization-upload")
    bad = {
        "organization": "BAD SLUG",
        "name": "X",
        "teams": [{"slug": "t", "name": "T", "function": "cfo"}],
    }
    response = logged_in.post(
        url, {"file": SimpleUploadedFile("org.yaml", yaml.safe_dump(bad).encode())}
    )
    page = response.content.decode()
    assert "The file was refused and nothing was written" in page
    assert "organization: use lowercase letters, digits and hyphens" in page
    assert "teams[0].function: &#x27;cfo&#x27; is not a function" in page
    assert not Organization.objects.exists()
    good = {
        "organization": "initech",
        "name": "Initech",
        "sites": [{"slug": "hq", "name": "HQ"}],
        "teams": [{"slug": "it", "name": "IT", "function": "it", "site": "hq"}],
    }
    response = logged_in.post(
        url, {"file": SimpleUploadedFile("org.yaml", yaml.safe_dump(good).encode())}
    )
    assert response.status_code == 302
    org = Organization.objects.get(slug="initech")
    assert org.workspace == workspace and org.teams.get().site.slug == "hq"


def test_upload_into_another_workspace_is_refused(logged_in, other_workspace):
    doc = {"organization": "sneaky", "name": "Sneaky", "workspace": "rival"}
    response = logged_in.post(
        reverse("assessments:organization-upload"),
        {"file": SimpleUploadedFile("org.yaml", yaml.safe_dump(doc).encode())},
    )
    assert "workspace: &#x27;rival&#x27; is not your workspace (northwind)" in (
        response.content.decode()
    )
    assert not Organization.objects.filter(slug="sneaky").exists()


def test_create_campaign_then_targets_then_open_and_close(logged_in, org):
    version = builders.import_small_bank()
    response = logged_in.post(
        reverse("assessments:campaign-create", args=[org.slug]),
        {
            "name": "Acme 2027",
            "slug": "acme-2027",
            "bank_version": version.pk,
            "teams": [org.teams.get(slug="it-ops").pk],
            "min_group_size": 4,
            "gap_threshold": 0.75,
            "opens_on": "2027-01-10",
            "closes_on": "2027-02-10",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="acme-2027")
    assert (campaign.status, campaign.min_group_size, campaign.gap_threshold) == ("draft", 4, 0.75)
    assert [t.slug for t in campaign.teams.all()] == ["it-ops"]
    assert str(campaign.opens_on) == "2027-01-10"

    edit = reverse("assessments:campaign-edit", args=["acme-2027"])
    page = logged_in.get(edit).content.decode()
    assert "Target stage: Collaboration" in page
    response = logged_in.post(
        edit,
        {
            "name": "Acme 2027 (renamed)",
            "min_group_size": 2,
            "gap_threshold": 0.5,
            "target_collab": 3,
            "target_scale": 1,
            "target_infra": 2,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Acme 2027 (renamed)"
    assert campaign.targets == {"collab": 3, "scale": 1, "infra": 2}
    assert campaign.min_group_size == 2

    logged_in.post(reverse("assessments:campaign-open", args=["acme-2027"]))
    campaign.refresh_from_db()
    assert campaign.status == "open"
    logged_in.post(reverse("assessments:campaign-close", args=["acme-2027"]))
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.closed_at is not None
    # Closed: settings no longer change.
    logged_in.post(
        edit,
        {
            "name": "x",
            "min_group_size": 9,
            "gap_threshold": 0.5,
            "target_collab": 0,
            "target_scale": 0,
            "target_infra": 0,
        },
    )
    campaign.refresh_from_db()
    assert campaign.min_group_size == 2


def test_campaign_form_reports_a_taken_slug(logged_in, org, campaign):
    response = logged_in.post(
        reverse("assessments:campaign-create", args=[org.slug]),
        {
            "name": "Again",
            "slug": campaign.slug,
            "bank_version": campaign.bank_version.pk,
            "min_group_size": 3,
            "gap_threshold": 0.5,
        },
    )
    assert "This slug is not available; choose another." in response.content.decode()


def test_person_link_is_shown_once_and_emailed(
    logged_in, campaign, django_capture_on_commit_callbacks, run_jobs
):
    team = campaign.organization.teams.get(slug="ot-north")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            reverse("assessments:invitation-person", args=[campaign.slug]),
            {"person-name": "Pat Doe", "person-email": "pat@example.com", "person-team": team.pk},
            follow=True,
        )
    page = response.content.decode()
    invitation = Invitation.objects.get()
    token = page.split("/s/")[1].split("/")[0]
    assert invitation.token_hash == hash_token(token)
    assert len(token) >= 32  # 24 random bytes, base64
    assert token not in str(Invitation.objects.values_list())  # only the hash is stored
    # Issue 16.9: nor is the token kept in the session (a database row for 60 days).
    from django.contrib.sessions.models import Session

    assert not any(token in str(s.get_decoded()) for s in Session.objects.all())
    assert response.redirect_chain == []  # the page is the POST's own answer
    assert "no-store" in response["Cache-Control"]
    assert "<svg" in page  # the QR code
    assert run_jobs() == ["1 sent"]
    assert mail.outbox[0].to == ["pat@example.com"] and f"/s/{token}/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Acme: IT/OT convergence assessment"
    assert "Hello Pat Doe," in mail.outbox[0].body
    # A second visit shows no link: it was shown once.
    again = logged_in.get(
        reverse("assessments:invitation-created", args=[campaign.slug]), follow=True
    )
    assert "A link is shown only once" in again.content.decode()


def test_team_link_and_revoke(logged_in, campaign):
    team = campaign.organization.teams.get(slug="it-ops")
    logged_in.post(
        reverse("assessments:invitation-team", args=[campaign.slug]), {"join-team": team.pk}
    )
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.team) == ("team", team)
    logged_in.post(reverse("assessments:invitation-revoke", args=[campaign.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = logged_in.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    assert "revoked" in page.content.decode()


def test_completion_tracker_counts_per_team_and_function(logged_in, campaign):
    org = campaign.organization
    link = invitation_create(campaign=campaign, kind="team", team=org.teams.get(slug="ot-north"))
    first = response_start(invitation=link.invitation)
    response_start(invitation=link.invitation)
    response_submit(response=first)
    page = logged_in.get(reverse("assessments:campaign-completion", args=[campaign.slug]))
    assert "1 submitted · 1 in progress" in visible_text(page)
    rows = table_rows(page)
    assert ["OT North", "1", "1", "\u2013"] in rows  # no headcount: no rate (a dash)
    assert ["OT", "1", "1"] in rows


def test_campaign_page_issues_a_fixed_number_of_queries(
    logged_in, campaign, django_assert_max_num_queries
):
    url = reverse("assessments:campaign-detail", args=[campaign.slug])
    logged_in.get(url)
    org = campaign.organization
    for index in range(30):
        link = invitation_create(campaign=campaign, kind="team", team=org.teams.get(slug="it-ops"))
        response_start(invitation=link.invitation)
        invitation_create(campaign=campaign, kind="person", name=f"P{index}")
    with django_assert_max_num_queries(16):
        logged_in.get(url)


def test_invite_client_viewer_emails_a_password_link(
    logged_in, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            reverse("assessments:viewer-invite", args=[org.slug]),
            {"email": "cio@acme.example"},
            follow=True,
        )
    assert "Invited cio@acme.example as a client viewer." in response.content.decode()
    viewer = ClientViewer.objects.get()
    assert viewer.user.email == "cio@acme.example" and not viewer.user.has_usable_password()
    assert "/accounts/reset/" in mail.outbox[0].body


def test_owner_adds_and_removes_members(
    logged_in, workspace, owner, django_capture_on_commit_callbacks
):
    url = reverse("assessments:members", args=[workspace.slug])
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(url, {"email": "new@northwind.example"})
    member = Membership.objects.get(user__email="new@northwind.example")
    assert member.role == "consultant"
    assert "Choose your password" in mail.outbox[0].body
    logged_in.post(reverse("assessments:member-remove", args=[workspace.slug, member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()
    # The last owner stays.
    mine = Membership.objects.get(user=owner)
    response = logged_in.post(
        reverse("assessments:member-remove", args=[workspace.slug, mine.pk]), follow=True
    )
    assert "A workspace keeps at least one owner." in response.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_wrong_method_is_405(logged_in, campaign):
    assert (
        logged_in.get(reverse("assessments:campaign-open", args=[campaign.slug])).status_code == 405
    )


def test_owner_sets_report_branding(logged_in, workspace, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    url = reverse("assessments:workspace-settings", args=[workspace.slug])
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (300, 90), "#123456").save(png, "PNG")
    logo = SimpleUploadedFile("logo.png", png.getvalue(), content_type="image/png")
    logged_in.post(
        url,
        {
            "name": "Northwind Partners",
            "brand_colour": "#123456",
            "paper_size": "letter",
            "logo": logo,
        },
    )
    workspace.refresh_from_db()
    assert (workspace.name, workspace.brand_colour, workspace.paper_size) == (
        "Northwind Partners",
        "#123456",
        "letter",
    )
    assert workspace.logo.name.startswith("logos/logo")
    response = logged_in.post(
        url, {"name": "x", "brand_colour": "red", "paper_size": "A4"}, follow=True
    )
    assert "brand_colour: use a colour like #1f3a5f" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.brand_colour == "#123456"
    # The form on the members page shows the fields, filled in (it once rendered empty).
    page = logged_in.get(reverse("assessments:members", args=[workspace.slug])).content.decode()
    assert 'name="brand_colour"' in page and 'value="#123456"' in page
    assert 'name="logo"' in page and 'value="Northwind Partners"' in page


def test_consultant_cannot_change_branding(client, consultant, workspace):
    client.force_login(consultant)
    url = reverse("assessments:workspace-settings", args=[workspace.slug])
    assert (
        client.post(
            url, {"name": "Hacked", "brand_colour": "#000000", "paper_size": "A4"}
        ).status_code
        == 403
    )
    workspace.refresh_from_db()
    assert workspace.name != "Hacked"


def test_edit_a_site_and_a_team(logged_in, org):
    logged_in.post(
        reverse("assessments:site-edit", args=[org.slug, "north"]),
        {"name": "North Plant", "slug": "north", "country": "DE"},
    )
    logged_in.post(
        reverse("assessments:team-edit", args=[org.slug, "biz"]),
        {"name": "Operations", "slug": "biz", "function": "business"},
    )
    assert Site.objects.get(organization=org, slug="north").name == "North Plant"
    assert Team.objects.get(organization=org, slug="biz").name == "Operations"
    missing = logged_in.get(reverse("assessments:site-edit", args=[org.slug, "nowhere"]))
    assert missing.status_code == 404
