"""Import an organisation with its sites and teams from a YAML or JSON file (docs/file-formats.md).

Re-importing the same organisation updates names and adds new sites and teams; it never
deletes anything.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.errors import Refused
from assessments.files.formats import guess_format
from assessments.files.organizations import MAX_FILE_BYTES, organization_import
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
        parser.add_argument("file", help="a .yaml, .yml or .json organisation file")
        add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            fmt = guess_format(path)
            data = read_input_file(path, limit=MAX_FILE_BYTES)
            with rolled_back_if(options["dry_run"]):
                result = organization_import(data=data, fmt=fmt)
        except Refused as exc:
            raise problems_error(exc, path) from None
        self.stdout.write(dry_run_message(result.message, options["dry_run"]))
