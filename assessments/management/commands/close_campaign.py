"""Close a campaign: it accepts no more answers, and its scores are stored and never change."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.errors import Refused
from assessments.management.commands._base import get_campaign
from assessments.services.campaigns import campaign_close


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        try:
            campaign_close(campaign=campaign)
        except Refused as exc:
            raise CommandError("\n".join(exc.lines)) from None
        baseline = f"; baseline {campaign.baseline.slug}" if campaign.baseline else ""
        self.stdout.write(f"Closed {campaign.slug}{baseline}.")
