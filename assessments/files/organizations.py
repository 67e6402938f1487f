"""Organisation files: a client with its sites and teams in one go (docs/file-formats.md).

Re-importing updates names and adds what is new; it never deletes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from assessments.errors import ProblemList, Refused
from assessments.files.formats import Walker, enumerate_list, join, load_document
from assessments.models import FUNCTION_KEYS, SLUG_RE, Organization, Site, Team, Workspace

MAX_FILE_BYTES = 1024 * 1024
MAX_ENTRIES = 2000

_SLUG = re.compile(SLUG_RE)
_SLUG_MESSAGE = "use lowercase letters, digits and hyphens (for example plant-north)"
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class OrganizationImportResult:
    organization: Organization
    created: bool
    sites_added: int
    teams_added: int

    @property
    def message(self) -> str:
        text = (
            gettext("Created %(slug)s: %(sites)s site(s) and %(teams)s team(s) added.")
            if self.created
            else gettext("Updated %(slug)s: %(sites)s site(s) and %(teams)s team(s) added.")
        )
        return text % {
            "slug": self.organization.slug,
            "sites": self.sites_added,
            "teams": self.teams_added,
        }


def validate_organization_document(raw: Any) -> dict[str, Any]:
    problems = ProblemList()
    walk = Walker(problems)
    top = walk.mapping(
        raw,
        "",
        required=("organization", "name"),
        optional=("workspace", "industry", "sites", "teams"),
    )
    if top is None:
        problems.raise_if_any()
        raise AssertionError
    doc: dict[str, Any] = {
        "organization": walk.text(
            top.get("organization"),
            "organization",
            max_length=60,
            pattern=_SLUG,
            pattern_message=_SLUG_MESSAGE,
        ),
        "name": walk.text(top.get("name"), "name", max_length=200, single_line=True),
        "workspace": walk.text(
            top.get("workspace"),
            "workspace",
            required=False,
            max_length=60,
            pattern=_SLUG,
            pattern_message=_SLUG_MESSAGE,
        ),
        "industry": walk.text(
            top.get("industry"), "industry", required=False, max_length=200, single_line=True
        ),
        "sites": [],
        "teams": [],
    }
    site_slugs: set[str] = set()
    for location, item in _entries(walk, top, "sites"):
        site = walk.mapping(item, location, required=("slug", "name"), optional=("country",))
        if site is None:
            continue
        slug = _slug(walk, site, location, site_slugs, "site")
        country = walk.text(site.get("country"), join(location, "country"), required=False)
        if country and (not _COUNTRY.fullmatch(country) or country not in dict(countries)):
            problems.add(
                join(location, "country"),
                _("%(value)s is not an ISO 3166 country code (such as DE for Germany)"),
                value=repr(country),
            )
        doc["sites"].append(
            {
                "slug": slug,
                "name": walk.text(
                    site.get("name"), join(location, "name"), max_length=200, single_line=True
                ),
                "country": country,
            }
        )
    team_slugs: set[str] = set()
    for location, item in _entries(walk, top, "teams"):
        team = walk.mapping(
            item, location, required=("slug", "name", "function"), optional=("site", "headcount")
        )
        if team is None:
            continue
        slug = _slug(walk, team, location, team_slugs, "team")
        function = team.get("function")
        if "function" in team and function not in FUNCTION_KEYS:
            problems.add(
                join(location, "function"),
                _("%(function)s is not a function; use %(value)s"),
                function=repr(function),
                value=", ".join(FUNCTION_KEYS),
            )
        doc["teams"].append(
            {
                "slug": slug,
                "name": walk.text(
                    team.get("name"), join(location, "name"), max_length=200, single_line=True
                ),
                "function": function,
                "site": walk.text(team.get("site"), join(location, "site"), required=False),
                "headcount": _headcount(walk, team, location),
            }
        )
    problems.raise_if_any()
    return doc


def _headcount(walk: Walker, team: dict[str, Any], location: str) -> int | None:
    """People of the team expected to answer (response rates): a whole number from 1."""
    if "headcount" not in team or team["headcount"] is None:
        return None
    value = team["headcount"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        walk.problems.add(
            join(location, "headcount"), _("must be a whole number from 1 to 1,000,000")
        )
        return None
    return value


def _entries(walk: Walker, top: dict[str, Any], field: str) -> list[tuple[str, Any]]:
    if field not in top:
        return []
    items = walk.list(top[field], field)
    if items is None:
        return []
    if len(items) > MAX_ENTRIES:
        walk.problems.add(
            field, _("more than %(MAX_ENTRIES)s entries"), MAX_ENTRIES=f"{MAX_ENTRIES:,}"
        )
        return []
    return list(enumerate_list(items, field))


def _slug(walk: Walker, entry: dict[str, Any], location: str, seen: set[str], what: str) -> str:
    slug = walk.text(
        entry.get("slug"),
        join(location, "slug"),
        max_length=60,
        pattern=_SLUG,
        pattern_message=_SLUG_MESSAGE,
    )
    if slug and slug in seen:
        walk.problems.add(
            join(location, "slug"),
            _("%(slug)s names another %(what)s too"),
            slug=repr(slug),
            what=what,
        )
    seen.add(slug)
    return slug


def organization_import(
    *, data: bytes, fmt: str, workspace: Workspace | None = None
) -> OrganizationImportResult:
    """Import an organisation file. `workspace`, when given, is the only one allowed
    (a consultant's upload); otherwise the file names it, or the deployment has one."""
    doc = validate_organization_document(load_document(data, fmt, max_bytes=MAX_FILE_BYTES))
    problems = ProblemList()
    with transaction.atomic():
        target = _resolve_workspace(doc, workspace, problems)
        organization = Organization.objects.filter(slug=doc["organization"]).first()
        if (
            organization is not None
            and target is not None
            and (organization.workspace_id != target.id)
        ):
            problems.add(
                "organization",
                _("%(value)s is not available; choose another slug"),
                value=repr(doc["organization"]),
            )
        existing_sites = {s.slug: s for s in organization.sites.all()} if organization else {}
        file_sites = {s["slug"] for s in doc["sites"]}
        for index, team in enumerate(doc["teams"]):
            site = team["site"]
            if site and site not in file_sites and site not in existing_sites:
                problems.add(
                    f"teams[{index}].site",
                    _("%(site)s is not a site of this organisation (list it under sites)"),
                    site=repr(site),
                )
        problems.raise_if_any()
        if target is None:  # raise_if_any covers this case; this tells the type checker
            raise Refused.at("organization", _("nothing to import into"))
        return _write(doc, target, organization, existing_sites)


def _resolve_workspace(
    doc: dict[str, Any], forced: Workspace | None, problems: ProblemList
) -> Workspace | None:
    named = doc["workspace"]
    if forced is not None:
        if named and named != forced.slug:
            problems.add(
                "workspace",
                _("%(named)s is not your workspace (%(slug)s)"),
                named=repr(named),
                slug=forced.slug,
            )
            return None
        return forced
    # From the command line (an administrator), a workspace that does not exist yet is
    # created, so a fresh deployment can be set up from files alone; the transaction
    # takes it back if the file has any problem.
    if named:
        workspace, _created = Workspace.objects.get_or_create(
            slug=named, defaults={"name": named.replace("-", " ").title()}
        )
        return workspace
    workspaces = list(Workspace.objects.all()[:2])
    if len(workspaces) > 1:
        problems.add("workspace", _("is required: this deployment has more than one workspace"))
        return None
    if not workspaces:
        return Workspace.objects.create(slug="default", name="Default workspace")
    return workspaces[0]


def _write(
    doc: dict[str, Any],
    workspace: Workspace,
    organization: Organization | None,
    sites: dict[str, Site],
) -> OrganizationImportResult:
    created = organization is None
    if organization is None:
        organization = Organization.objects.create(
            workspace=workspace,
            slug=doc["organization"],
            name=doc["name"],
            industry=doc["industry"],
        )
    else:
        organization.name = doc["name"]
        if doc["industry"]:
            organization.industry = doc["industry"]
        organization.save(update_fields=["name", "industry"])

    sites_added = 0
    for entry in doc["sites"]:
        site = sites.get(entry["slug"])
        if site is None:
            sites[entry["slug"]] = Site.objects.create(organization=organization, **entry)
            sites_added += 1
        elif (site.name, site.country) != (entry["name"], entry["country"] or site.country):
            site.name = entry["name"]
            site.country = entry["country"] or site.country
            site.save(update_fields=["name", "country"])

    teams = {t.slug: t for t in organization.teams.all()}
    teams_added = 0
    for entry in doc["teams"]:
        site = sites[entry["site"]] if entry["site"] else None
        team = teams.get(entry["slug"])
        if team is None:
            Team.objects.create(
                organization=organization,
                slug=entry["slug"],
                name=entry["name"],
                function=entry["function"],
                site=site,
                headcount=entry["headcount"],
            )
            teams_added += 1
            continue
        team.name, team.function = entry["name"], entry["function"]
        if site is not None:
            team.site = site
        if entry["headcount"] is not None:
            team.headcount = entry["headcount"]
        team.save(update_fields=["name", "function", "site", "headcount"])
    return OrganizationImportResult(organization, created, sites_added, teams_added)
