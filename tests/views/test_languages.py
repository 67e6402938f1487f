"""The respondent's language (issue 19, first part): the survey in German from the browser's
language or the switch on every page, answers kept; the bank's translations for the
questions, each text falling back to the bank's own language; a workshop phone in German."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Campaign, Response
from assessments.services.survey import invitation_create
from assessments.services.workshops import workshop_for, workshop_set_state
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db

GERMAN = {
    "title": "Mini-Fragenkatalog",
    "dimensions": {"collab": {"name": "Zusammenarbeit"}},
    "questions": {
        "C-1": {
            "text": "Wie oft arbeiten IT und Instandhaltung zusammen?",
            "choices": {"0": "Nie"},
        },
    },
}


@pytest.fixture
def campaign(workspace) -> Campaign:
    version = builders.import_small_bank(bank="mini-de", translations={"de": GERMAN})
    return builders.campaign(workspace, version=version)


def _offer(campaign: Campaign, languages: list[str]) -> None:
    from assessments.services.campaigns import campaign_update

    campaign_update(
        campaign=campaign,
        min_group_size=campaign.min_group_size,
        gap_threshold=campaign.gap_threshold,
        targets={},
        languages=languages,
    )


def _start(client: Client, campaign: Campaign, **headers: str) -> Response:
    link = invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.get(slug="ot-north")
    )
    opened = client.get(reverse("assessments:link-open", args=[link.token]), headers=headers)
    start = client.get(opened["Location"], headers=headers)
    assert start.status_code == 200
    client.post(reverse("assessments:survey-start"), headers=headers)
    return Response.objects.order_by("-pk").first()


def test_a_german_browser_gets_the_survey_in_german(client, campaign):
    response = _start(client, campaign, **{"Accept-Language": "de-DE,de;q=0.9"})
    page = client.get(
        reverse("assessments:survey-page", args=[response.public_id, 1]),
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )
    text = visible_text(page)
    assert '<html lang="de">' in page.content.decode()
    assert "Teil 1 von 3" in text and "0 von 5 beantwortet" in text
    # The bank's translation, and its own language where the translation leaves a text out.
    assert "Zusammenarbeit" in text
    assert "Wie oft arbeiten IT und Instandhaltung zusammen?" in text
    assert "Nie" in text and "Sometimes" in text  # choice 1 has no German text
    assert "Q2" in text  # C-2 has none at all
    assert "Trifft bei uns nicht zu" in text  # C-2 allows N/A
    assert "Weiter" in text and "Next" not in text


def test_the_switch_changes_the_language_and_keeps_the_answers(client, campaign):
    response = _start(client, campaign)
    url = reverse("assessments:survey-page", args=[response.public_id, 1])
    client.post(
        reverse("assessments:survey-answer", args=[response.public_id]),
        {"question": "C-1", "q-C-1": "2"},
    )
    english = visible_text(client.get(url))
    assert "Part 1 of 3" in english and "Q1" in english
    # The pages send no referrer, so the switch's post says "Origin: null".
    switched = client.post(
        reverse("assessments:language"), {"language": "de", "next": url}, headers={"Origin": "null"}
    )
    assert switched.status_code == 302 and switched["Location"] == url
    german = client.get(url)
    assert "Teil 1 von 3" in visible_text(german)
    assert 'value="2" checked' in german.content.decode()
    assert Answer.objects.get(response=response).choice.key == "2"
    # Back to English, and a `next` that leaves the site goes nowhere but home.
    away = client.post(
        reverse("assessments:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/"
    assert "Part 1 of 3" in visible_text(client.get(url))


def test_a_refusal_and_the_start_page_speak_german(client, campaign):
    german = {"Accept-Language": "de"}
    response = _start(client, campaign, **german)
    refused = client.post(
        reverse("assessments:survey-answer", args=[response.public_id]),
        {"question": "C-1", "q-C-1": "9"},
        headers=german,
    )
    assert refused.status_code == 400
    assert refused.content.decode() == "C-1: „9“ ist keine ihrer Antworten"
    saved = client.post(
        reverse("assessments:survey-answer", args=[response.public_id]),
        {"question": "C-1", "q-C-1": "1"},
        headers=german,
    )
    assert saved.content.decode() == "Gespeichert"


def test_a_workshop_phone_follows_in_its_own_language(campaign):
    from assessments.models import Question

    workshop = workshop_set_state(
        workshop=workshop_for(campaign),
        mode="paced",
        question=Question.objects.get(version=campaign.bank_version, key="C-1"),
    )
    phone = Client(headers={"Accept-Language": "de"})
    team = campaign.organization.teams.get(slug="ot-north")
    phone.post(reverse("assessments:workshop-join", args=[workshop.join_code]), {"team": team.pk})
    page = visible_text(phone.get(reverse("assessments:workshop-live", args=[workshop.join_code])))
    assert "Wie oft arbeiten IT und Instandhaltung zusammen?" in page
    assert "Die Stimmen bleiben verdeckt" in page
    english = Client()
    english.post(reverse("assessments:workshop-join", args=[workshop.join_code]), {"team": team.pk})
    page = visible_text(
        english.get(reverse("assessments:workshop-live", args=[workshop.join_code]))
    )
    assert "Q1" in page and "Votes are hidden" in page


def test_a_campaign_offers_its_own_languages_the_first_by_default(client, workspace):
    czech = {"questions": {"C-1": {"text": "Jak často spolupracují IT a údržba?"}}}
    version = builders.import_small_bank(bank="mini-cs", translations={"de": GERMAN, "cs": czech})
    campaign = builders.campaign(workspace, slug="brno-2026", version=version)
    _offer(campaign, ["cs", "en"])
    response = _start(client, campaign, **{"Accept-Language": "fr"})  # neither: the first
    page = client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    text = visible_text(page)
    # Czech questions around the English interface (it has no Czech catalogue).
    assert "Jak často spolupracují IT a údržba?" in text and "Part 1 of 3" in text
    html = page.content.decode()
    assert 'value="cs"' in html and 'value="en"' in html and 'value="de"' not in html
    # German is not offered here, even to a German browser.
    german = client.get(
        reverse("assessments:survey-page", args=[response.public_id, 1]),
        headers={"Accept-Language": "de"},
    )
    assert "Jak často" in visible_text(german)
    client.post(reverse("assessments:language"), {"language": "en", "next": "/"})
    assert "Q1" in visible_text(
        client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    )


def test_the_campaign_form_takes_languages_and_refuses_unknown_ones(client, owner, campaign):
    client.force_login(owner)
    url = reverse("assessments:campaign-edit", args=[campaign.slug])
    form = {
        "name": campaign.name,
        "slug": campaign.slug,
        "bank_version": campaign.bank_version_id,
        "min_group_size": 5,
        "gap_threshold": 0.5,
        "language_tags": "de, xx",
        **{f"target_{key}": 2 for key in ("collab", "scale", "infra")},
    }
    refused = client.post(url, form)
    assert "xx: neither the interface nor the bank has it" in visible_text(refused)
    campaign.refresh_from_db()
    assert campaign.languages == []
    client.post(url, {**form, "language_tags": "de, en"})
    campaign.refresh_from_db()
    assert campaign.languages == ["de", "en"]
    assert client.get(url).content.decode().count('value="de, en"') == 1


def test_the_audience_screen_speaks_the_campaigns_first_language(client, owner, campaign):
    from assessments.models import Question

    _offer(campaign, ["de", "en"])
    workshop_set_state(
        workshop=workshop_for(campaign),
        mode="paced",
        question=Question.objects.get(version=campaign.bank_version, key="C-1"),
    )
    client.force_login(owner)
    screen = visible_text(
        client.get(reverse("assessments:workshop-screen-live", args=[campaign.slug]))
    )
    assert "Wie oft arbeiten IT und Instandhaltung zusammen?" in screen
    assert "Nie" in screen and "Sometimes" in screen  # each text falls back on its own
    assert "0 im Raum" in screen and "bisher 0 Stimmen" in screen  # the screen's own words
    # The presenter's own view stays in the presenter's language.
    room = visible_text(client.get(reverse("assessments:workshop-room", args=[campaign.slug])))
    assert "Q1" in room and "joined" in room


def test_the_consultants_pages_speak_the_browsers_language_or_the_chosen_one(
    client, owner, campaign
):
    """A German browser on a consultant's page reads it in German; an English one in
    English; the switch's choice wins over the browser."""
    client.force_login(owner)
    url = reverse("assessments:campaign-detail", args=[campaign.slug])
    german = visible_text(client.get(url, headers={"Accept-Language": "de"}))
    assert "Personen einladen" in german and "Rücklauf" in german and "Invite people" not in german
    english = visible_text(client.get(url, headers={"Accept-Language": "en-GB"}))
    assert "Invite people" in english and "Personen einladen" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chosen = visible_text(client.get(url, headers={"Accept-Language": "de"}))
    assert "Invite people" in chosen


def test_who_decides_is_in_the_readers_language_on_the_workshop_screens():
    from django.utils import translation

    from assessments.models import Question
    from assessments.selectors.workshops import answer_labels

    version = builders.decision_bank()
    decision = Question.objects.prefetch_related("choices").get(version=version, key="D-1")
    with translation.override("de"):
        labels = dict((key, str(text)) for key, text in answer_labels(decision))
    assert labels["joint"] == "IT und OT gemeinsam" and labels["DK"] == "Weiß nicht"
    assert str(dict(answer_labels(decision))["joint"]) == "IT and OT together"


def test_a_personal_invitation_is_mailed_in_the_campaigns_first_language(
    campaign, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    _offer(campaign, ["de", "en"])
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            campaign=campaign,
            kind="person",
            name="Jana",
            email="jana@acme.example",
            base_url="https://convergence.example/",
        )
    assert run_jobs() == ["1 sent"]  # the job, not the request, speaks the campaign's language
    message = mailoutbox[0]
    assert "Befragung zur IT/OT-Konvergenz" in message.subject
    assert "Guten Tag Jana," in message.body and "Bitte leiten Sie ihn nicht weiter" in message.body


def test_the_scripts_count_waiting_answers_in_every_plural_form_of_the_language(monkeypatch):
    """German has two forms, Czech three (1; 2-4; 0 and 5 on): the page lists the forms and
    which count takes which, so survey.js needs no plural formula of its own."""
    from django.utils import translation

    from assessments.templatetags import convergence

    with translation.override("de"):
        texts = convergence.script_text()
    assert len(texts["waiting"]) == 2
    one = texts["waiting"][texts["waiting_form"][1]]
    many = texts["waiting"][texts["waiting_form"][7]]
    assert one != many and "{n}" in one and "{n}" in many

    def czech(singular: str, plural: str, n: int) -> str:
        return ("1 form", "2-4 form", "many form")[0 if n == 1 else 1 if 2 <= n <= 4 else 2]

    monkeypatch.setattr(convergence, "ngettext", czech)
    forms = convergence.script_text()
    which = [forms["waiting"][i] for i in forms["waiting_form"]]
    assert (
        which[:7] == ["many form", "1 form", "2-4 form", "2-4 form", "2-4 form"] + ["many form"] * 2
    )
    assert len(forms["waiting_form"]) == convergence.WAITING_COUNTS + 1
