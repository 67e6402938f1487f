"""Explicit builders for test data: each makes one thing, with the defaults a test expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model

from assessments.files.banks import bank_import
from assessments.models import BankVersion, Membership, Workspace

DEFAULT_BANK_FILE = Path(settings.BASE_DIR) / "fixtures" / "banks" / "itot-convergence.yaml"


def workspace(slug: str) -> Workspace:
    return Workspace.objects.create(slug=slug, name=slug.title())


def user(username: str, workspace: Workspace | None = None, role: str = "consultant") -> Any:
    account = get_user_model().objects.create_user(username, password=f"pw-{username}-123")
    if workspace is not None:
        Membership.objects.create(user=account, workspace=workspace, role=role)
    return account


def default_bank() -> BankVersion:
    return bank_import(data=DEFAULT_BANK_FILE.read_bytes(), fmt="yaml").version


def small_bank_document(**overrides: Any) -> dict[str, Any]:
    """A minimal valid bank: two stage dimensions and one enabler, five questions."""
    guidance = {0: "Start.", 1: "Join up.", 2: "Scale.", 3: "Sustain."}
    choices = [
        {"key": "0", "score": 0, "text": "Never"},
        {"key": "1", "score": 1, "text": "Sometimes"},
        {"key": "2", "score": 2, "text": "Often"},
        {"key": "3", "score": 3, "text": "Always"},
    ]
    doc: dict[str, Any] = {
        "bank": "mini",
        "version": 1,
        "title": "Mini bank",
        "language": "en",
        "stages": [{"level": lv, "name": f"Stage {lv}", "summary": "..."} for lv in range(4)],
        "dimensions": [
            {"key": "collab", "name": "Collaboration", "lens": "stage", "guidance": guidance},
            {"key": "scale", "name": "Scaling", "lens": "stage", "weight": 2, "guidance": guidance},
            {"key": "infra", "name": "Infrastructure", "lens": "enabler", "guidance": guidance},
        ],
        "questions": [
            {"key": "C-1", "dimension": "collab", "text": "Q1", "choices": choices},
            {
                "key": "C-2",
                "dimension": "collab",
                "text": "Q2",
                "weight": 2,
                "allow_na": True,
                "choices": choices,
            },
            {"key": "S-1", "dimension": "scale", "text": "Q3", "choices": choices},
            {
                "key": "S-2",
                "dimension": "scale",
                "text": "Q4",
                "audience": ["it", "ot"],
                "choices": choices,
            },
            {"key": "I-1", "dimension": "infra", "text": "Q5", "choices": choices},
        ],
    }
    doc.update(overrides)
    # Through JSON, not deepcopy: every question gets its own choices (deepcopy keeps the
    # sharing), and levels become the strings a JSON file would carry.
    return json.loads(json.dumps(doc))


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def as_yaml(doc: dict[str, Any]) -> bytes:
    return yaml.dump(doc, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True).encode()


def import_small_bank(**overrides: Any) -> BankVersion:
    return bank_import(data=as_yaml(small_bank_document(**overrides)), fmt="yaml").version


def decision_bank() -> BankVersion:
    """The small bank with Don't know on C-1 and a decision question D-1 (who decides)."""
    doc = small_bank_document(bank="mini-dr")
    doc["questions"][0]["allow_dont_know"] = True
    doc["questions"].append(
        {
            "key": "D-1",
            "kind": "decision",
            "dimension": "collab",
            "text": "Who decides whether a machine may join the plant network?",
            "allow_na": True,
            "allow_dont_know": True,
        }
    )
    return bank_import(data=as_yaml(doc), fmt="yaml").version


def organization(workspace: Workspace, slug: str = "acme") -> Any:
    """An organisation with sites north/south and teams it-ops (it), ot-north (ot, north),
    biz (business, south)."""
    from assessments.models import Organization, Site, Team

    org = Organization.objects.create(workspace=workspace, slug=slug, name=slug.title())
    north = Site.objects.create(organization=org, slug="north", name="North")
    south = Site.objects.create(organization=org, slug="south", name="South")
    Team.objects.create(organization=org, slug="it-ops", name="IT Ops", function="it", site=north)
    Team.objects.create(
        organization=org, slug="ot-north", name="OT North", function="ot", site=north
    )
    Team.objects.create(
        organization=org, slug="biz", name="Business", function="business", site=south
    )
    return org


def campaign(
    workspace: Workspace,
    slug: str = "acme-2026",
    org: Any = None,
    version: BankVersion | None = None,
    **settings: Any,
) -> Any:
    from assessments.models import BankVersion as _BankVersion
    from assessments.services.campaigns import campaign_create

    if version is None:
        version = _BankVersion.objects.filter(bank__slug="mini", number=1).first()
        version = version or import_small_bank()
    return campaign_create(
        slug=slug,
        organization=org or organization(workspace),
        bank_version=version,
        status="open",
        **settings,
    )


def url_world(workspace: Workspace, owner: Any) -> dict[str, Any]:
    """A campaign with everything a URL of the app can name, keyed by the URL kwargs
    (`slug` holds the organisation's and the campaign's), plus the objects themselves."""
    from assessments.models import ClientViewer, Initiative, ParkingNote
    from assessments.services.survey import invitation_create, response_start
    from assessments.services.tokens import token_create
    from assessments.services.workshops import workshop_for

    org = organization(workspace)
    made = campaign(workspace, org=org)
    person = invitation_create(campaign=made, kind="person", team=org.teams.get(slug="it-ops"))
    response = response_start(invitation=person.invitation)
    viewer_user = user("vera")
    viewer = ClientViewer.objects.create(user=viewer_user, organization=org)
    return {
        "slug": {"organization": org.slug, "campaign": made.slug},
        "site": "north",
        "team": "it-ops",
        "viewer": viewer.pk,
        "workspace": workspace.slug,
        "membership": Membership.objects.get(user=owner, workspace=workspace).pk,
        "invitation": person.invitation.pk,
        "token": person.token,
        "public_id": response.public_id,
        "page": 1,
        "version": made.bank_version_id,
        "kind": "scores",
        "fmt": "csv",
        "api_token": token_create(user=owner, name="BI")[0].pk,
        "code": (workshop := workshop_for(made)).join_code,
        "note": ParkingNote.objects.create(
            campaign=made, text="Who patches the HMIs?", session=workshop.session
        ).pk,
        "pk": Initiative.objects.create(
            campaign=made,
            title="One change board",
            owner="Head of OT",
            dimensions=["collaboration"],
        ).pk,
        "org": org,
        "campaign": made,
        "response": response,
        "viewer_user": viewer_user,
    }


def workshop_phone(workshop: Any, team_slug: str = "it-ops") -> tuple[Any, Any]:
    """A phone that joined a workshop with its code: its client and its response."""
    from django.test import Client
    from django.urls import reverse

    from assessments.views.workshop_audience import SESSION_WORKSHOPS

    client = Client()
    team = workshop.campaign.organization.teams.get(slug=team_slug)
    client.post(reverse("assessments:workshop-join", args=[workshop.join_code]), {"team": team.pk})
    public_id = client.session[SESSION_WORKSHOPS][workshop.join_code]
    return client, workshop.campaign.responses.get(public_id=public_id)
