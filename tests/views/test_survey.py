"""The respondent's survey through the web: links, sessions, saving, submitting, closing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Campaign, Response
from assessments.selectors.scores import campaign_scores
from assessments.services.campaigns import campaign_close
from assessments.services.survey import invitation_create, invitation_revoke
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


@pytest.fixture
def person(campaign):
    return invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.get(slug="ot-north")
    )


def start(client: Client, token: str) -> Response:
    opened = client.get(reverse("assessments:link-open", args=[token]))
    assert opened.status_code == 302 and token not in opened["Location"]
    started = client.post(
        opened["Location"] if "start" in opened["Location"] else reverse("assessments:survey-start")
    )
    assert started.status_code == 302, started.content
    return Response.objects.order_by("-pk").first()


def save(client: Client, response: Response, key: str, value: str, **extra):
    return client.post(
        reverse("assessments:survey-answer", args=[response.public_id]),
        {"question": key, f"q-{key}": value, **extra},
    )


def test_link_is_exchanged_for_the_session_and_pages_are_private(client, person):
    opened = client.get(reverse("assessments:link-open", args=[person.token]))
    assert opened["Location"] == reverse("assessments:survey-start")
    assert opened["Referrer-Policy"] == "no-referrer"
    assert opened["Cache-Control"] == "no-store"
    page = client.get(opened["Location"])
    assert "IT/OT convergence assessment" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer" and page["Cache-Control"] == "no-store"
    assert Response.objects.count() == 0  # opening the link (or a link preview) writes nothing
    client.post(opened["Location"])
    response = Response.objects.get()
    assert (response.function, response.team.slug, response.site.slug) == (
        "ot",
        "ot-north",
        "north",
    )
    first = client.get(reverse("assessments:survey-resume", args=[response.public_id]))
    assert first["Location"] == reverse("assessments:survey-page", args=[response.public_id, 1])
    page = client.get(first["Location"])
    assert page["Cache-Control"] == "no-store"
    assert "Part 1 of 3" in page.content.decode()


def test_unknown_and_revoked_links_reveal_nothing(client, person, campaign):
    response = client.get(reverse("assessments:link-open", args=["x" * 32]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert campaign.organization.name not in response.content.decode()
    invitation_revoke(invitation=person.invitation)
    response = client.get(reverse("assessments:link-open", args=[person.token]))
    assert response.status_code == 404 and "This link is not valid" in response.content.decode()


def test_answers_are_saved_one_by_one_and_validated(client, person):
    response = start(client, person.token)
    assert save(client, response, "C-1", "2").content == b"Saved"
    assert save(client, response, "C-1", "3").content == b"Saved"  # changed, not duplicated
    assert save(client, response, "C-2", "NA").content == b"Saved"
    bad = save(client, response, "C-1", "9")
    assert bad.status_code == 400 and bad.content == b"C-1: &quot;9&quot; is not one of its answers"
    assert save(client, response, "C-1", "NA").status_code == 400  # C-1 has no N/A
    assert save(client, response, "C-1", "", **{"c-C-1": "We tried once."}).content == b"Saved"
    answers = {a.question.key: a for a in Answer.objects.filter(response=response)}
    assert answers["C-1"].choice.key == "3" and answers["C-1"].comment == "We tried once."
    assert answers["C-2"].is_na
    assert len(answers) == 2


def test_question_outside_the_respondents_audience_is_refused(client, campaign):
    biz = invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.get(slug="biz")
    )
    response = start(client, biz.token)
    refused = save(client, response, "S-2", "1")  # S-2 is asked of IT and OT only
    assert refused.status_code == 400
    assert refused.content == b"S-2: not a question of this survey"


def test_page_post_without_javascript_saves_and_moves_on(client, person):
    response = start(client, person.token)
    url = reverse("assessments:survey-page", args=[response.public_id, 1])
    moved = client.post(url, {"q-C-1": "1", "q-C-2": "2", "c-C-2": "", "move": "next"})
    assert moved["Location"] == reverse("assessments:survey-page", args=[response.public_id, 2])
    keys = sorted(
        Answer.objects.filter(response=response).values_list("question__key", "choice__key")
    )
    assert keys == [("C-1", "1"), ("C-2", "2")]


def test_same_link_in_another_browser_finds_every_answer(client, person):
    response = start(client, person.token)
    save(client, response, "C-1", "2")
    other = Client()
    opened = other.get(reverse("assessments:link-open", args=[person.token]))
    assert opened["Location"] == reverse("assessments:survey-resume", args=[response.public_id])
    page = other.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    assert 'value="2" checked' in page.content.decode()
    assert Response.objects.count() == 1


def test_join_link_gives_each_browser_its_own_response_and_resumes(campaign):
    link = invitation_create(
        campaign=campaign, kind="team", team=campaign.organization.teams.get(slug="it-ops")
    )
    phones = [Client(), Client()]
    responses = [start(phone, link.token) for phone in phones]
    assert responses[0].pk != responses[1].pk
    again = phones[0].get(reverse("assessments:link-open", args=[link.token]))
    assert again["Location"] == reverse("assessments:survey-resume", args=[responses[0].public_id])
    assert Response.objects.count() == 2
    # One phone cannot open the other's response.
    stolen = phones[1].get(reverse("assessments:survey-page", args=[responses[0].public_id, 1]))
    assert stolen.status_code == 404


def test_link_without_team_asks_for_the_function(client, campaign):
    link = invitation_create(campaign=campaign, kind="person")
    client.get(reverse("assessments:link-open", args=[link.token]))
    page = client.post(reverse("assessments:survey-start"))
    assert "Where do you work?" in page.content.decode()
    assert "Choose one to continue." in page.content.decode()
    assert Response.objects.count() == 0
    client.post(reverse("assessments:survey-start"), {"function": "leadership"})
    assert Response.objects.get().function == "leadership"


def test_review_lists_unanswered_then_submit_is_idempotent(client, person):
    response = start(client, person.token)
    save(client, response, "C-1", "1")
    review = client.get(reverse("assessments:survey-review", args=[response.public_id]))
    html = review.content.decode()
    assert "Out of 5 questions, 4 are still open" in html
    unanswered = html.split('id="unanswered"')[1].split("</ul>")[0]  # not the CSRF token
    assert ">Q2</a>" in unanswered and ">Q1</a>" not in unanswered
    submit = reverse("assessments:survey-submit", args=[response.public_id])
    assert client.post(submit)["Location"] == reverse(
        "assessments:survey-thanks", args=[response.public_id]
    )
    response.refresh_from_db()
    first_time = response.submitted_at
    client.post(submit)  # a double click or a resent request
    response.refresh_from_db()
    assert response.submitted_at == first_time
    assert Response.objects.filter(submitted_at__isnull=False).count() == 1
    campaign = Campaign.objects.get()
    assert campaign_scores(campaign)["respondents"]["submitted"] == 1  # seen without a bump
    # Answers are locked now.
    locked = save(client, response, "C-1", "3")
    assert locked.status_code == 409
    assert "already submitted" in locked.content.decode()
    assert Answer.objects.get(response=response).choice.key == "1"
    page = client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    assert page["Location"] == reverse("assessments:survey-thanks", args=[response.public_id])


def test_closed_campaign_shows_the_date_and_writes_nothing(client, person, campaign):
    response = start(client, person.token)
    save(client, response, "C-1", "1")
    campaign_close(campaign=campaign)
    campaign.refresh_from_db()
    date = f"{campaign.closed_at:%-d %B %Y}"
    page = client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    assert page.status_code == 410
    assert f"This assessment closed on {date}" in page.content.decode()
    refused = save(client, response, "C-1", "3")
    assert refused.status_code == 409
    assert Answer.objects.get(response=response).choice.key == "1"
    client.post(reverse("assessments:survey-submit", args=[response.public_id]))
    response.refresh_from_db()
    assert response.submitted_at is None
    fresh = Client().get(reverse("assessments:link-open", args=[person.token]))
    assert fresh.status_code == 410


def test_draft_campaign_does_not_start(client, workspace):
    campaign = builders.campaign(workspace, slug="draft-one")
    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    link = invitation_create(
        campaign=campaign, kind="team", team=campaign.organization.teams.get(slug="it-ops")
    )
    client.get(reverse("assessments:link-open", args=[link.token]))
    page = client.post(reverse("assessments:survey-start"))
    assert "This assessment is not open yet." in page.content.decode()
    assert Response.objects.count() == 0


def test_dont_know_and_who_decides_can_be_answered(client, workspace):
    campaign = builders.campaign(workspace, slug="dr-2026", version=builders.decision_bank())
    person = invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.get(slug="ot-north")
    )
    response = start(client, person.token)
    page = client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    html = page.content.decode()
    # C-1 offers Don't know; the decision question offers who decides, N/A and Don't know.
    assert 'name="q-C-1" value="DK"> <span>I don&#x27;t know</span>' in html
    # A decision is a row of short tap targets; each carries its full meaning as its title.
    for value, short, label in (
        ("joint", "Together", "IT and OT together"),
        ("vendor", "Vendor", "A vendor or service provider"),
    ):
        assert (
            f'title="{label}"><input type="radio" name="q-D-1" value="{value}"> <span>{short}'
            in html
        )
    assert (
        'title="Does not apply to us"><input type="radio" name="q-D-1" value="NA"> <span>N/A'
        in html
    )
    assert save(client, response, "C-1", "DK").content == b"Saved"
    assert save(client, response, "D-1", "joint").content == b"Saved"
    refused = save(client, response, "C-2", "DK")
    assert refused.status_code == 400 and "Don&#x27;t know is not an answer" in (
        refused.content.decode()
    )
    assert save(client, response, "D-1", "boss").status_code == 400
    cells = {a.question.key: a.cell for a in Answer.objects.select_related("question", "choice")}
    assert cells == {"C-1": "DK", "D-1": "joint"}
    # Both count as answered on the review page.
    review = client.get(reverse("assessments:survey-review", args=[response.public_id]))
    unanswered = review.content.decode().split('id="unanswered"')[1].split("</ul>")[0]
    assert "#q-C-2" in unanswered
    assert "#q-C-1" not in unanswered and "#q-D-1" not in unanswered
    page = client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    assert 'value="joint" checked' in page.content.decode()


def test_a_refused_answer_is_echoed_as_text_not_markup(client, person):
    response = start(client, person.token)
    refused = save(client, response, "C-1", "<img src=x onerror=alert(1)>")
    assert refused.status_code == 400
    assert "<img" not in refused.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in refused.content.decode()


def test_the_start_page_says_how_long_this_respondent_needs(client, workspace):
    """Each function's own path through the default bank (docs/performance.md: 12 minutes
    for OT, 9 for business); a link without a team promises the longest."""
    campaign = builders.campaign(workspace, version=builders.default_bank())
    teams = campaign.organization.teams
    expected = {
        "ot-north": "About 12 minutes.",
        "biz": "About 9 minutes.",
        None: "About 12 minutes.",
    }
    for slug, sentence in expected.items():
        link = invitation_create(
            campaign=campaign, kind="person", team=teams.get(slug=slug) if slug else None
        )
        browser = Client()
        browser.get(reverse("assessments:link-open", args=[link.token]))
        page = browser.get(reverse("assessments:survey-start")).content.decode()
        assert sentence in page, slug


# An answer save and "Next" cost a fixed number of queries, whatever was answered before
# (bench/response_cost.py measures them; docs/performance.md). A save: the session, the
# response, then in one transaction the response's lock and one insert-or-update. The bank's
# questions are read once per process (a published version never changes).
ANSWER_SAVE_QUERIES = 6
NEXT_POST_QUERIES = 3  # the session, the response, the page's stored answers: nothing changed


def test_an_answer_save_and_next_cost_a_fixed_number_of_queries(
    client, person, django_assert_num_queries
):
    response = start(client, person.token)
    save(client, response, "C-1", "1")  # reads the bank's questions, once per process
    with django_assert_num_queries(ANSWER_SAVE_QUERIES):
        assert save(client, response, "C-2", "2").content == b"Saved"  # a new answer
    with django_assert_num_queries(ANSWER_SAVE_QUERIES):
        assert save(client, response, "C-1", "3").content == b"Saved"  # a changed one
    url = reverse("assessments:survey-page", args=[response.public_id, 1])
    form = {"q-C-1": "3", "q-C-2": "2", "c-C-1": "", "c-C-2": "", "move": "next"}
    with django_assert_num_queries(NEXT_POST_QUERIES):
        moved = client.post(url, form)
    assert moved["Location"] == reverse("assessments:survey-page", args=[response.public_id, 2])
    # A page that differs from what was saved is written in one transaction.
    with django_assert_num_queries(NEXT_POST_QUERIES + 4):
        client.post(url, {**form, "q-C-1": "0", "c-C-2": "Tried once."})
    stored = {
        a.question.key: (a.choice.key, a.comment) for a in Answer.objects.filter(response=response)
    }
    assert stored == {"C-1": ("0", ""), "C-2": ("2", "Tried once.")}


def test_a_comment_alone_keeps_the_answer_and_clearing_it_writes_no_empty_answer(client, person):
    response = start(client, person.token)
    save(client, response, "C-1", "2")
    assert save(client, response, "C-1", "", **{"c-C-1": "Only in the north."}).content == b"Saved"
    assert save(client, response, "C-1", "", **{"c-C-1": ""}).content == b"Saved"
    assert save(client, response, "C-2", "", **{"c-C-2": ""}).content == b"Saved"
    stored = {
        a.question.key: (a.choice.key, a.comment) for a in Answer.objects.filter(response=response)
    }
    assert stored == {"C-1": ("2", "")}
