"""Import a campaign archive made by export_campaign. Everything is checked first and written
in one transaction; a campaign that already exists is refused, never duplicated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.archive import MAX_ARCHIVE_BYTES, archive_import
from assessments.fileformats import ImportProblems

from ._base import problems_error, read_input_file


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .json campaign archive")
        parser.add_argument(
            "--workspace", help="put the organisation in this workspace (default: the archive's)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            result = archive_import(
                data=read_input_file(path, limit=MAX_ARCHIVE_BYTES),
                workspace=options["workspace"],
            )
        except ImportProblems as exc:
            raise problems_error(exc, path) from None
        self.stdout.write(result.message)
