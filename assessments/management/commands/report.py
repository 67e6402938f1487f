"""Write a campaign's executive PDF report to a file (the same document as the dashboard's
Download PDF button)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.management.commands._base import get_campaign
from assessments.outputs.pdf_render import RenderError
from assessments.outputs.report import campaign_report_pdf, chromium_available


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="the report's language (default: the campaign's report language)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        try:
            pdf = campaign_report_pdf(campaign, options["language"])
        except RenderError as exc:
            raise CommandError(f"{campaign.slug}: the report could not be made: {exc}") from None
        Path(options["output"]).write_bytes(pdf)
        note = "" if chromium_available() else " (without charts: Chromium is not installed)"
        self.stdout.write(f"Wrote {options['output']} ({len(pdf):,} bytes){note}.")
