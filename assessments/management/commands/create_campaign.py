"""Create an assessment campaign for an organisation on a published bank version.

Without --version the highest published version of the bank is used. The campaign is
created open, ready for responses, unless --draft is given.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList, Refused
from assessments.management.commands._base import VersionOptionMixin, problems_error
from assessments.models import BankVersion, Campaign, Organization
from assessments.services.campaigns import campaign_create, parse_targets
from assessments.vocabulary import DEFAULT_MIN_GROUP_SIZE


class Command(VersionOptionMixin, BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the campaign's slug, e.g. acme-2026")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--bank", required=True, help="the question bank's slug")
        parser.add_argument("--version", type=int, dest="number", help="bank version number")
        parser.add_argument("--name", default="", help="a name shown to people")
        parser.add_argument("--min-group-size", type=int, default=DEFAULT_MIN_GROUP_SIZE)
        parser.add_argument("--gap-threshold", type=float, default=0.5)
        parser.add_argument(
            "--target",
            action="append",
            default=[],
            metavar="DIMENSION=STAGE",
            help="target stage of a dimension (default 2); repeat for several",
        )
        parser.add_argument("--draft", action="store_true", help="create it as a draft")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ProblemList()
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            problems.add(f"--org {options['org']}", _("no such organisation"))
        versions = BankVersion.objects.select_related("bank").filter(bank__slug=options["bank"])
        if options["number"] is not None:
            version = versions.filter(number=options["number"]).first()
        else:
            version = (
                versions.filter(status=BankVersion.Status.PUBLISHED).order_by("-number").first()
            )
        if version is None:
            which = f" version {options['number']}" if options["number"] else ""
            problems.add(f"--bank {options['bank']}{which}", _("no such published bank version"))
        targets = parse_targets(options["target"], problems)
        if problems:
            raise problems_error(problems.refused(), options["slug"])
        if organization is None or version is None:  # reported above as problems
            raise CommandError("the organisation or the bank version was not found")
        try:
            campaign = campaign_create(
                slug=options["slug"],
                organization=organization,
                bank_version=version,
                name=options["name"],
                min_group_size=options["min_group_size"],
                gap_threshold=options["gap_threshold"],
                targets=targets,
                status=Campaign.Status.DRAFT if options["draft"] else Campaign.Status.OPEN,
            )
        except Refused as exc:
            raise problems_error(exc, options["slug"]) from None
        self.stdout.write(
            f"Created campaign {campaign.slug} ({campaign.status}) for {organization.name} on "
            f"{version.label}."
        )
