from django.urls import path

from sla import views

urlpatterns = [
    path("sla/calendars/", views.calendar_list, name="sla-calendar-list"),
    path("sla/calendars/new/", views.calendar_create, name="sla-calendar-create"),
    path("sla/calendars/<slug:calendar_code>/", views.calendar_detail, name="sla-calendar-detail"),
    path("sla/calendars/<slug:calendar_code>/edit/", views.calendar_edit, name="sla-calendar-edit"),
    path("sla/policies/", views.policy_list, name="sla-policy-list"),
    path("sla/policies/new/", views.policy_create, name="sla-policy-create"),
    path("sla/policies/<slug:policy_code>/", views.policy_detail, name="sla-policy-detail"),
    path("sla/policies/<slug:policy_code>/edit/", views.policy_edit, name="sla-policy-edit"),
    path("sla/priority-matrix/", views.priority_matrix, name="sla-priority-matrix-page"),
]
