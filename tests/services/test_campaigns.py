"""Campaign lifecycle, the score selector and its cache, and the score command."""

from __future__ import annotations

import json
import random

import pytest
from django.core.management import CommandError, call_command

from assessments import scoring
from assessments.errors import Refused
from assessments.files.responses import responses_import
from assessments.models import AgreedAnswer, Campaign, Choice, Question
from assessments.selectors.scores import ScoreFilter, campaign_score_input, campaign_scores
from assessments.services.campaigns import campaign_close, campaign_update
from tests import builders

pytestmark = pytest.mark.django_db

QUESTIONS = ["C-1", "C-2", "S-1", "S-2", "I-1"]
TEAMS = [("it-ops", "it", "north"), ("ot-north", "ot", "north"), ("biz", "business", "south")]


def random_rows(n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        team, function, site = rng.choice(TEAMS)
        row = {
            "respondent": f"r-{seed}-{i}",
            "function": function,
            "team": team,
            "site": site,
            "submitted": rng.choice(["yes"] * 9 + ["no"]),
        }
        for key in QUESTIONS:
            row[key] = rng.choice(["0", "1", "2", "3", "", "NA" if key == "C-2" else "1"])
        rows.append(row)
    return rows


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    header = ["respondent", "function", "team", "site", "submitted", *QUESTIONS]
    lines = [",".join(header)] + [",".join(row[c] for c in header) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def as_response_data(rows):
    return [
        scoring.ResponseData(
            row["function"],
            row["team"],
            row["site"],
            row["submitted"] != "no",
            {k: row[k] for k in QUESTIONS if row[k]},
        )
        for row in rows
    ]


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def test_selector_tally_equals_the_pure_tally_of_the_same_responses(campaign):
    rows = random_rows(60)
    responses_import(campaign=campaign, data=csv_bytes(rows), filename="a.csv")
    data = campaign_score_input(campaign)
    assert list(data.tally) == list(scoring.tally(as_response_data(rows), data.bank))
    assert data.teams == ("biz", "it-ops", "ot-north")  # the organisation's order (by name)


def test_score_json_matches_pure_scoring_and_has_every_block(campaign, capsys):
    rows = random_rows(80)
    responses_import(campaign=campaign, data=csv_bytes(rows), filename="a.csv")
    call_command("score", campaign.slug, "--json")
    printed = json.loads(capsys.readouterr().out)
    data = campaign_score_input(campaign)
    assert printed == scoring.score(data)
    assert list(printed) == [
        "campaign",
        "contract",
        "bank",
        "view",
        "respondents",
        "settings",
        "overall",
        "by_function",
        "by_team",
        "by_site",
        "perception_gaps",
        "questions",
        "decisions",
        "divergent_questions",
        "recommendations",
        "progress",
        "consensus",
    ]
    assert printed["respondents"]["submitted"] == sum(r["submitted"] != "no" for r in rows)


def test_cold_scoring_issues_a_fixed_number_of_queries(workspace, django_assert_num_queries):
    small = builders.campaign(workspace, slug="small")
    big = builders.campaign(workspace, slug="big", org=small.organization)
    responses_import(campaign=small, data=csv_bytes(random_rows(3, seed=2)), filename="a.csv")
    responses_import(campaign=big, data=csv_bytes(random_rows(300, seed=3)), filename="a.csv")
    for campaign in (small, big):
        campaign = Campaign.objects.select_related("bank_version__bank").get(pk=campaign.pk)
        # snapshot lookup; the fingerprint: responses, agreed answers, teams, sites, the
        # closed campaigns (baseline); then 3 bank queries, teams, sites, 3 GROUP BY counts,
        # agreed answers, find baseline, and the insert (inside a savepoint in tests)
        with django_assert_num_queries(19):
            campaign_scores(campaign)
        with django_assert_num_queries(6):  # cached: snapshot lookup and the fingerprint
            campaign_scores(campaign)


def test_cache_recomputes_after_import_settings_and_consensus(campaign):
    responses_import(campaign=campaign, data=csv_bytes(random_rows(20)), filename="a.csv")
    first = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    responses_import(campaign=campaign, data=csv_bytes(random_rows(20, seed=9)), filename="b.csv")
    second = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert second["respondents"] != first["respondents"]

    campaign = Campaign.objects.get(pk=campaign.pk)
    campaign_update(campaign=campaign, min_group_size=1, gap_threshold=0.1, targets={"collab": 3})
    third = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert third["settings"] == {"min_group_size": 1, "gap_threshold": 0.1}
    assert third["overall"]["dimensions"]["collab"]["target"] == 3

    # Nothing tells the cache that an agreed answer was recorded: it sees it.
    question = Question.objects.get(key="C-1")
    AgreedAnswer.objects.create(
        campaign=campaign, question=question, choice=Choice.objects.get(question=question, key="3")
    )
    fourth = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert fourth["consensus"] is not None and third["consensus"] is None


def test_cache_follows_the_organisation_renamed_teams_and_headcounts(campaign):
    """Invalidation is structural: a team's new slug or headcount is a new fingerprint,
    with no module having to say the scores changed."""
    responses_import(campaign=campaign, data=csv_bytes(random_rows(20)), filename="a.csv")
    assert "it-ops" in campaign_scores(campaign)["by_team"]
    team = campaign.organization.teams.get(slug="it-ops")
    team.slug, team.headcount = "it-operations", 40
    team.save()
    doc = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert "it-ops" not in doc["by_team"] and "it-operations" in doc["by_team"]
    assert doc["by_team"]["it-operations"]["headcount"] == 40
    assert doc["respondents"]["expected"] == 40


def test_settings_are_validated(campaign):
    with pytest.raises(Refused) as exc:
        campaign_update(
            campaign=campaign, min_group_size=0, gap_threshold=-1, targets={"nope": 2, "collab": 7}
        )
    assert exc.value.lines == [
        "min_group_size: must be a whole number from 1 to 1000",
        "gap_threshold: must be a number from 0 to 3",
        "targets.nope: is not a dimension of mini v1 (collab, infra, scale)",
        "targets.collab: must be a stage from 0 to 3",
    ]


def test_closed_campaign_scores_never_change(campaign):
    from assessments.files.banks import bank_version_new_draft, bank_version_publish

    responses_import(campaign=campaign, data=csv_bytes(random_rows(30)), filename="a.csv")
    campaign_close(campaign=campaign)
    frozen = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    # The bank gets a new version; the closed campaign keeps its own.
    draft = bank_version_new_draft(version=campaign.bank_version)
    draft.questions.filter(key="C-1").update(weight=9)
    bank_version_publish(version=draft)
    with pytest.raises(Refused):
        responses_import(campaign=campaign, data=csv_bytes(random_rows(5)), filename="a.csv")
    with pytest.raises(Refused, match="is closed"):
        campaign_update(campaign=campaign, min_group_size=1, gap_threshold=0.5, targets={})
    assert campaign_scores(Campaign.objects.get(pk=campaign.pk)) == frozen


def test_progress_against_the_previous_closed_campaign(campaign):
    responses_import(campaign=campaign, data=csv_bytes(random_rows(30)), filename="a.csv")
    campaign_close(campaign=campaign)
    later = builders.campaign(
        campaign.organization.workspace, slug="acme-2027", org=campaign.organization
    )
    responses_import(campaign=later, data=csv_bytes(random_rows(30, seed=5)), filename="a.csv")
    doc = campaign_scores(later)
    assert doc["progress"]["baseline"] == campaign.slug
    before = campaign_scores(campaign)["overall"]["dimensions"]["collab"]["score"]
    now = doc["overall"]["dimensions"]["collab"]["score"]
    assert doc["progress"]["dimensions"]["collab"]["delta"] == pytest.approx(
        now - before, abs=0.0011
    )
    call_command("close_campaign", later.slug)
    later.refresh_from_db()
    assert later.baseline == campaign


def test_filter_rescores_the_subset_with_the_same_rules(campaign):
    rows = random_rows(60)
    responses_import(campaign=campaign, data=csv_bytes(rows), filename="a.csv")
    north = campaign_scores(campaign, ScoreFilter(site="north"))
    bank = campaign_score_input(campaign).bank
    expected = scoring.score(
        scoring.ScoreInput(
            campaign.slug,
            bank,
            scoring.Settings(),
            scoring.tally(as_response_data(rows), bank),  # the whole campaign: rule 8
            ("biz", "it-ops", "ot-north"),
            ("north", "south"),
            view=scoring.View(site="north"),
        )
    )
    assert north == expected
    assert north["view"] == {"site": "north", "function": None}
    assert "biz" not in north["by_team"]


def test_score_command_takes_a_view_and_refuses_an_unknown_one(campaign, capsys):
    responses_import(campaign=campaign, data=csv_bytes(random_rows(60)), filename="a.csv")
    call_command("score", campaign.slug, "--json", "--site", "north", "--function", "it")
    printed = json.loads(capsys.readouterr().out)
    assert printed == campaign_scores(campaign, ScoreFilter(site="north", function="it"))
    with pytest.raises(CommandError) as exc:
        call_command("score", campaign.slug, "--json", "--site", "west", "--function", "cfo")
    assert str(exc.value) == (
        "site: 'west' is not a site of Acme (north, south); "
        "function: 'cfo' is not one of it, ot, business, leadership, other"
    )


def test_closed_campaigns_are_rescored_once_under_version_2(campaign):
    """Migration 0011 drops closed campaigns' stored figures; the next read computes them
    under version 2 and they are frozen from then on."""
    import importlib

    from django.apps import apps

    from assessments.models import ScoreSnapshot

    responses_import(campaign=campaign, data=csv_bytes(random_rows(30)), filename="a.csv")
    campaign_close(campaign=campaign)
    ScoreSnapshot.objects.filter(campaign=campaign).update(document={"contract": 1})
    migration = importlib.import_module("assessments.migrations.0011_contract_v2")
    migration.rescore_closed_campaigns(apps, None)
    rescored = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert rescored["contract"] == 2
    ScoreSnapshot.objects.filter(campaign=campaign).update(fingerprint="stale")
    assert campaign_scores(Campaign.objects.get(pk=campaign.pk)) == rescored  # frozen


def test_command_line_flow(workspace, tmp_path, capsys):
    builders.organization(workspace)
    builders.import_small_bank()
    call_command(
        "create_campaign",
        "acme-q1",
        "--org",
        "acme",
        "--bank",
        "mini",
        "--name",
        "ACME Q1",
        "--target",
        "collab=3",
        "--min-group-size",
        "2",
    )
    assert "Created campaign acme-q1 (open) for Acme on mini v1." in capsys.readouterr().out
    campaign = Campaign.objects.get(slug="acme-q1")
    assert (campaign.name, campaign.targets, campaign.min_group_size) == (
        "ACME Q1",
        {"collab": 3},
        2,
    )
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(random_rows(10)))
    call_command("import_responses", "acme-q1", str(path))
    call_command("close_campaign", "acme-q1")
    assert "Closed acme-q1." in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"acme-q1 is already closed\."):
        call_command("close_campaign", "acme-q1")
    call_command("score", "acme-q1")
    assert "acme-q1: " in capsys.readouterr().out


def test_create_campaign_refuses_bad_input(workspace):
    builders.organization(workspace)
    version = builders.import_small_bank()
    with pytest.raises(CommandError) as exc:
        call_command(
            "create_campaign", "x", "--org", "nope", "--bank", "nobank", "--target", "collab"
        )
    assert str(exc.value).splitlines()[1:] == [
        "  --org nope: no such organisation",
        "  --bank nobank: no such published bank version",
        "  --target collab: write DIMENSION=STAGE with a stage from 0 to 3",
    ]
    from assessments.files.banks import bank_version_new_draft

    bank_version_new_draft(version=version)
    with pytest.raises(CommandError) as exc:
        call_command(
            "create_campaign",
            "Bad Slug",
            "--org",
            "acme",
            "--bank",
            "mini",
            "--version",
            "2",
            "--target",
            "nope=1",
        )
    assert str(exc.value).splitlines()[1:] == [
        "  slug: use lowercase letters, digits and hyphens (for example acme-2026)",
        "  bank: mini v2 is a draft; publish it before using it",
        "  targets.nope: is not a dimension of mini v2 (collab, infra, scale)",
    ]
    assert not Campaign.objects.exists()
