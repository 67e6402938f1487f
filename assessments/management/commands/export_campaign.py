"""Write a campaign archive (JSON): the organisation, bank versions, the campaign and its chain
of baselines with their settings, responses, agreed answers and notes (docs/file-formats.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments import audit
from assessments.files.archive import campaign_archive, dump_archive
from assessments.management.commands._base import get_campaign


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        text = dump_archive(campaign_archive(campaign))
        audit.record(campaign, "archive")
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['output']} ({len(text.encode()):,} bytes).")
        else:
            self.stdout.write(text, ending="")
