"""Organisation import (docs/file-formats.md): idempotent, never deletes, strict validation."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.errors import Refused
from assessments.files.organizations import organization_import
from assessments.models import Organization, Site, Team, Workspace

pytestmark = pytest.mark.django_db

ACME = {
    "organization": "acme",
    "name": "ACME Manufacturing",
    "workspace": "northwind",
    "industry": "automotive",
    "sites": [{"slug": "plant-north", "name": "Plant North", "country": "DE"}],
    "teams": [
        {"slug": "it-ops", "name": "IT Operations", "function": "it"},
        {
            "slug": "maintenance-north",
            "name": "Maintenance North",
            "function": "ot",
            "site": "plant-north",
        },
    ],
}


def dump(doc) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False).encode()


def counts():
    return (Organization.objects.count(), Site.objects.count(), Team.objects.count())


def refused(doc, **kwargs) -> list[str]:
    before = counts()
    with pytest.raises(Refused) as exc:
        organization_import(data=dump(doc), fmt="yaml", **kwargs)
    assert counts() == before
    return exc.value.lines


def test_import_creates_organisation_sites_and_teams(workspace):
    result = organization_import(data=dump(ACME), fmt="yaml")
    assert result.message == "Created acme: 1 site(s) and 2 team(s) added."
    org = Organization.objects.get(slug="acme")
    assert (org.workspace, org.industry) == (workspace, "automotive")
    team = org.teams.get(slug="maintenance-north")
    assert (team.function, team.site.slug) == ("ot", "plant-north")


def test_reimport_updates_names_adds_and_never_deletes(workspace):
    organization_import(data=dump(ACME), fmt="yaml")
    second = {
        **ACME,
        "name": "ACME Group",
        "sites": [{"slug": "plant-south", "name": "Plant South"}],
        "teams": [{"slug": "it-ops", "name": "IT Ops & Infrastructure", "function": "it"}],
    }
    result = organization_import(data=dump(second), fmt="yaml")
    assert result.message == "Updated acme: 1 site(s) and 0 team(s) added."
    org = Organization.objects.get(slug="acme")
    assert org.name == "ACME Group"
    assert sorted(org.sites.values_list("slug", flat=True)) == ["plant-north", "plant-south"]
    assert sorted(org.teams.values_list("slug", "name")) == [
        ("it-ops", "IT Ops & Infrastructure"),
        ("maintenance-north", "Maintenance North"),
    ]
    # Idempotent: the same file again changes nothing.
    before = list(Team.objects.values_list("slug", "name", "function", "site"))
    organization_import(data=dump(second), fmt="yaml")
    assert list(Team.objects.values_list("slug", "name", "function", "site")) == before


def test_headcounts_give_response_rates_and_are_checked(workspace):
    doc = {
        "organization": "hc",
        "name": "Headcount Co",
        "workspace": workspace.slug,
        "teams": [
            {"slug": "a", "name": "A", "function": "it", "headcount": 12},
            {"slug": "b", "name": "B", "function": "ot"},
        ],
    }
    organization_import(data=dump(doc), fmt="yaml")
    assert dict(Team.objects.filter(organization__slug="hc").values_list("slug", "headcount")) == {
        "a": 12,
        "b": None,
    }
    doc["teams"][1]["headcount"] = 0
    doc["teams"][0]["headcount"] = "12"
    assert refused(doc) == [
        "teams[0].headcount: must be a whole number from 1 to 1,000,000",
        "teams[1].headcount: must be a whole number from 1 to 1,000,000",
    ]


def test_team_may_name_a_site_from_an_earlier_import(workspace):
    organization_import(data=dump(ACME), fmt="yaml")
    later = {
        **ACME,
        "sites": [],
        "teams": [
            {"slug": "automation", "name": "Automation", "function": "ot", "site": "plant-north"}
        ],
    }
    organization_import(data=dump(later), fmt="yaml")
    assert Team.objects.get(slug="automation").site.slug == "plant-north"


def test_every_rule_is_reported_at_once(workspace):
    bad = {
        "organization": "ACME!",
        "name": "",
        "workspace": "northwind",
        "colour": "red",
        "sites": [
            {"slug": "p1", "name": "P1", "country": "Germany"},
            {"slug": "p1", "name": "Again"},
        ],
        "teams": [
            {"slug": "t1", "name": "T1", "function": "finance"},
            {"slug": "t2", "function": "it"},
        ],
    }
    assert refused(bad) == [
        "colour: unknown field",
        "organization: use lowercase letters, digits and hyphens (for example plant-north)",
        "name: must not be empty",
        "sites[0].country: 'Germany' is not an ISO 3166 country code (such as DE for Germany)",
        "sites[1].slug: 'p1' names another site too",
        "teams[0].function: 'finance' is not a function; use it, ot, business, leadership, other",
        "teams[1].name: is required",
    ]


def test_unknown_site_is_refused_and_nothing_is_created(workspace):
    doc = {
        **ACME,
        "workspace": "newcomer",
        "teams": [{"slug": "t", "name": "T", "function": "ot", "site": "plant-west"}],
    }
    assert refused(doc) == [
        "teams[0].site: 'plant-west' is not a site of this organisation (list it under sites)",
    ]
    assert not Workspace.objects.filter(slug="newcomer").exists()


def test_command_line_creates_a_missing_workspace(db):
    organization_import(data=dump(ACME), fmt="yaml")
    assert Organization.objects.get(slug="acme").workspace.slug == "northwind"


def test_fresh_deployment_without_workspace_gets_a_default_one(db):
    doc = {key: value for key, value in ACME.items() if key != "workspace"}
    organization_import(data=dump(doc), fmt="yaml")
    assert Organization.objects.get(slug="acme").workspace.slug == "default"


def test_workspace_may_be_left_out_only_with_a_single_workspace(workspace, other_workspace):
    doc = {key: value for key, value in ACME.items() if key != "workspace"}
    assert refused(doc) == ["workspace: is required: this deployment has more than one workspace"]


def test_slug_taken_by_another_workspace_is_refused(workspace, other_workspace):
    organization_import(data=dump(ACME), fmt="yaml")
    assert refused({**ACME, "workspace": "rival"}) == [
        "organization: 'acme' is not available; choose another slug"
    ]


def test_forced_workspace_refuses_a_file_naming_another(workspace, other_workspace):
    assert refused(ACME, workspace=other_workspace) == [
        "workspace: 'northwind' is not your workspace (rival)"
    ]


def test_command_line(workspace, tmp_path, capsys):
    path = tmp_path / "acme.json"
    import json

    path.write_text(json.dumps(ACME))
    call_command("import_org", str(path))
    assert "Created acme: 1 site(s) and 2 team(s) added." in capsys.readouterr().out
    path.write_text(json.dumps({**ACME, "teams": [{"slug": "x"}]}))
    with pytest.raises(CommandError) as exc:
        call_command("import_org", str(path))
    assert str(exc.value) == (
        f"{path}: refused, nothing was written (2 problems):\n"
        "  teams[0].name: is required\n  teams[0].function: is required"
    )
