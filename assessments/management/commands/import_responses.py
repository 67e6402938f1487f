"""Import responses collected on paper or in a spreadsheet (CSV or XLSX, docs/file-formats.md).

Re-importing a respondent replaces their response, so the same file can be imported again
safely. A closed campaign refuses imports.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.errors import Refused
from assessments.files.responses import MAX_FILE_BYTES, responses_import
from assessments.management.commands._base import (
    add_dry_run,
    dry_run_message,
    get_campaign,
    problems_error,
    read_input_file,
    rolled_back_if,
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("file", help="a .csv or .xlsx file")
        add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        path: str = options["file"]
        try:
            data = read_input_file(path, limit=MAX_FILE_BYTES)
            with rolled_back_if(options["dry_run"]):
                result = responses_import(campaign=campaign, data=data, filename=path)
        except Refused as exc:
            raise problems_error(exc, path) from None
        self.stdout.write(dry_run_message(result.message, options["dry_run"]))
