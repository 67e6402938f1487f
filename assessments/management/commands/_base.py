"""Shared plumbing for the management commands: read a file, turn problems into exit 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from assessments.errors import Refused
from assessments.models import Campaign


def get_campaign(slug: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organization__workspace", "bank_version__bank", "baseline")
        .filter(slug=slug)
        .first()
    )
    if campaign is None:
        raise CommandError(f"{slug}: no such campaign")
    return campaign


def read_input_file(path: str, *, limit: int) -> bytes:
    """Read at most limit+1 bytes, so a huge file is refused without loading it whole."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    with file.open("rb") as handle:
        return handle.read(limit + 1)


def problems_error(exc: Refused, source: str) -> CommandError:
    lines = "\n".join(f"  {line}" for line in exc.lines)
    count = len(exc.lines)
    return CommandError(
        f"{source}: refused, nothing was written ({count} problem{'s' if count != 1 else ''}):"
        f"\n{lines}"
    )


class VersionOptionMixin:
    """docs/file-formats.md names a `--version N` option, which Django reserves for printing its own
    version: commands with this mixin let theirs replace it."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        return super().create_parser(  # type: ignore[misc]
            prog_name, subcommand, conflict_handler="resolve", **kwargs
        )


class _RolledBack(Exception):
    """Ends a dry run's transaction."""


def add_dry_run(parser: CommandParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything and say what the import would do, then write nothing",
    )


@contextmanager
def rolled_back_if(dry_run: bool) -> Iterator[None]:
    """With --dry-run, the import runs whole (every check, every message) inside a
    transaction that is then rolled back, so the answer is the real one and nothing stays."""
    if not dry_run:
        yield
        return
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def dry_run_message(message: str, dry_run: bool) -> str:
    return f"Dry run, nothing was written. The import would say: {message}" if dry_run else message
