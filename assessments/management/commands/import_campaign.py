"""Import a campaign archive made by export_campaign. Everything is checked first and written
in one transaction; a campaign that already exists is refused, never duplicated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.errors import Refused
from assessments.files.archive import MAX_ARCHIVE_BYTES, archive_import
from assessments.management.commands._base import (
    add_dry_run,
    dry_run_message,
    problems_error,
    read_input_file,
    rolled_back_if,
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .json campaign archive")
        parser.add_argument(
            "--workspace", help="put the organisation in this workspace (default: the archive's)"
        )
        add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            data = read_input_file(path, limit=MAX_ARCHIVE_BYTES)
            with rolled_back_if(options["dry_run"]):
                result = archive_import(data=data, workspace=options["workspace"])
        except Refused as exc:
            raise problems_error(exc, path) from None
        self.stdout.write(dry_run_message(result.message, options["dry_run"]))
