from django.urls import path

from . import api, survey_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    # Organisations
    path("orgs/new/", views.organization_create, name="organization-create"),
    path("orgs/upload/", views.organization_upload, name="organization-upload"),
    path("orgs/<slug:slug>/", views.organization_detail, name="organization-detail"),
    path("orgs/<slug:slug>/edit/", views.organization_edit, name="organization-edit"),
    path("orgs/<slug:slug>/sites/new/", views.site_create, name="site-create"),
    path("orgs/<slug:slug>/sites/<slug:site>/edit/", views.site_edit, name="site-edit"),
    path("orgs/<slug:slug>/teams/new/", views.team_create, name="team-create"),
    path("orgs/<slug:slug>/teams/<slug:team>/edit/", views.team_edit, name="team-edit"),
    path("orgs/<slug:slug>/viewers/invite/", views.viewer_invite, name="viewer-invite"),
    path(
        "orgs/<slug:slug>/viewers/<int:viewer>/remove/",
        views.viewer_remove,
        name="viewer-remove",
    ),
    path("orgs/<slug:slug>/campaigns/new/", views.campaign_new, name="campaign-create"),
    # Workspace members
    path("workspaces/<slug:workspace>/members/", views.members, name="members"),
    path(
        "workspaces/<slug:workspace>/settings/",
        views.workspace_settings,
        name="workspace-settings",
    ),
    path(
        "workspaces/<slug:workspace>/members/<int:membership>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    # Campaigns
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<slug:slug>/report.pdf", views.campaign_report, name="campaign-report"),
    path(
        "campaigns/<slug:slug>/export/<slug:kind>.<slug:fmt>",
        views.campaign_export,
        name="campaign-export",
    ),
    path("campaigns/<slug:slug>/deck.pptx", views.campaign_deck_view, name="campaign-deck"),
    path("campaigns/<slug:slug>/consensus/", views.campaign_consensus, name="campaign-consensus"),
    path("campaigns/<slug:slug>/workshop/", views.workshop_facilitator, name="workshop"),
    path("campaigns/<slug:slug>/workshop/room/", views.workshop_room, name="workshop-room"),
    path("campaigns/<slug:slug>/workshop/state/", views.workshop_state, name="workshop-state"),
    path("campaigns/<slug:slug>/dashboard/", views.campaign_dashboard, name="campaign-dashboard"),
    path(
        "campaigns/<slug:slug>/completion/", views.campaign_completion, name="campaign-completion"
    ),
    path("campaigns/<slug:slug>/open/", views.campaign_open_view, name="campaign-open"),
    path("campaigns/<slug:slug>/close/", views.campaign_close_view, name="campaign-close"),
    path(
        "campaigns/<slug:slug>/invitations/person/",
        views.invitation_person,
        name="invitation-person",
    ),
    path("campaigns/<slug:slug>/invitations/team/", views.invitation_team, name="invitation-team"),
    path(
        "campaigns/<slug:slug>/invitations/new/",
        views.invitation_created,
        name="invitation-created",
    ),
    path(
        "campaigns/<slug:slug>/invitations/<int:invitation>/revoke/",
        views.invitation_revoke_view,
        name="invitation-revoke",
    ),
    # Your profile: API tokens
    path("profile/", api.profile, name="profile"),
    path("profile/tokens/<int:api_token>/revoke/", api.token_revoke, name="token-revoke"),
    # The read-only JSON API (Bearer tokens)
    path("api/v1/campaigns/", api.campaigns, name="api-campaigns"),
    path(
        "api/v1/campaigns/<slug:slug>/scores/",
        api.campaign_scores_view,
        name="api-campaign-scores",
    ),
    # Workshop participants (no account)
    path("w/", survey_views.workshop_code, name="workshop-code"),
    path("w/<str:code>/", survey_views.workshop_join_view, name="workshop-join"),
    path("w/<str:code>/live/", survey_views.workshop_live, name="workshop-live"),
    # The respondent's survey (no account)
    path("s/<str:token>/", survey_views.link_open, name="link-open"),
    path("survey/start/", survey_views.survey_start, name="survey-start"),
    path("survey/<uuid:public_id>/", survey_views.survey_resume, name="survey-resume"),
    path("survey/<uuid:public_id>/p/<int:page>/", survey_views.survey_page, name="survey-page"),
    path("survey/<uuid:public_id>/answer/", survey_views.survey_answer, name="survey-answer"),
    path("survey/<uuid:public_id>/review/", survey_views.survey_review, name="survey-review"),
    path("survey/<uuid:public_id>/submit/", survey_views.survey_submit, name="survey-submit"),
    path("survey/<uuid:public_id>/thanks/", survey_views.survey_thanks, name="survey-thanks"),
]
