"""Print a campaign's scores: with --json, the score document (docs/methodology.md).

--site and --function score one view of the campaign (as the dashboard's filters do), read
on the privacy rule's protected groups. Without --json, a short summary for people. Scores
are cached and recomputed only when something they depend on has changed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.documents import shown
from assessments.errors import Refused
from assessments.formatting import places
from assessments.management.commands._base import get_campaign
from assessments.selectors.scores import campaign_scores, view_for


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("--json", action="store_true", help="print the JSON document")
        parser.add_argument("--site", help="score the view of one site (its slug)")
        parser.add_argument("--function", help="score the view of one function (it, ot, ...)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = get_campaign(options["campaign"])
        try:
            view = view_for(campaign, options["site"], options["function"])
        except Refused as error:
            raise CommandError(error.sentence) from error
        document = campaign_scores(campaign, view)
        if options["json"]:
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        overall = shown(document["overall"])
        if overall is None:
            self.stdout.write(
                f"{campaign.slug} [{view.key}]: {document['overall']['answered']} submitted; "
                "no figures: "
                "fewer responses than can be shown without singling anyone out"
            )
            return
        respondents = document["respondents"]
        self.stdout.write(
            f"{campaign.slug}: {respondents['submitted']} submitted, "
            f"{respondents['in_progress']} in progress"
        )
        if overall["stage"] is None or overall["stage_score"] is None:
            self.stdout.write("No stage yet: no submitted answers to the stage dimensions.")
            return
        self.stdout.write(
            f"Stage {overall['stage']} (stage score {places(overall['stage_score'])}); "
            f"{overall['percent_to_target']:.0%} of the way to target"
        )
        for key, figures in overall["dimensions"].items():
            score = "-" if figures["score"] is None else places(figures["score"])
            self.stdout.write(f"  {key:<20} {score:>5}  target {figures['target']}")
