from django.urls import path

from tickets import views

urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/assign/", views.ticket_bulk_assign, name="ticket-bulk-assign"),
    path("tickets/<str:ticket_ref>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:ticket_ref>/attachments/<int:attachment_id>/", views.attachment_download,
         name="ticket-attachment"),
    *[
        path(f"tickets/<str:ticket_ref>/{name}/", getattr(views, f"ticket_{name}"), name=f"ticket-{name}")
        for name in ("take", "reply", "wait", "resume", "resolve", "accept", "reject", "priority", "assign",
                     "intervention")
    ],
    # On the contract's page (its preventive plans panel): the address and name it always had.
    path("contracts/<str:contract_ref>/plan/", views.contract_plan, name="contract-plan"),
]
