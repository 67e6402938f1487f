"""Import a question bank version from a YAML or JSON file (docs/file-formats.md).

The version is published on import unless --draft is given. Importing a version that already
exists with identical content changes nothing; different content under the same number is
refused with the next free number suggested.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.errors import Refused
from assessments.files.banks import bank_import
from assessments.files.formats import MAX_FILE_BYTES, guess_format
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
        parser.add_argument("file", help="a .yaml, .yml or .json bank file")
        parser.add_argument(
            "--draft", action="store_true", help="import as an editable draft, not published"
        )
        add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            fmt = guess_format(path)
            data = read_input_file(path, limit=MAX_FILE_BYTES)
            with rolled_back_if(options["dry_run"]):
                result = bank_import(data=data, fmt=fmt, draft=options["draft"])
        except Refused as exc:
            raise problems_error(exc, path) from None
        self.stdout.write(dry_run_message(result.message, options["dry_run"]))
