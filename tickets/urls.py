from django.urls import path

from tickets import views

urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/assign/", views.ticket_bulk_assign, name="ticket-bulk-assign"),
    path("tickets/canned-replies/", views.canned_reply_list, name="canned-reply-list"),
    path("tickets/canned-replies/<int:canned_reply_id>/", views.canned_reply_edit, name="canned-reply-edit"),
    path("tickets/canned-replies/<int:canned_reply_id>/delete/", views.canned_reply_delete,
         name="canned-reply-delete"),
    path("tickets/support-desk/", views.support_desk_edit, name="support-desk-edit"),
    path("rate/<str:rating_token>/<str:score>/", views.rating_link, name="ticket-rating-link"),
    path("tickets/<str:ticket_ref>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:ticket_ref>/attachments/<int:attachment_id>/", views.attachment_download,
         name="ticket-attachment"),
    *[
        path(f"tickets/<str:ticket_ref>/{name}/", getattr(views, f"ticket_{name}"), name=f"ticket-{name}")
        for name in ("take", "reply", "wait", "resume", "resolve", "accept", "reject", "priority", "assign",
                     "intervention", "work", "rate")
    ],
    # On the contract's page (its preventive plans panel): the address and name it always had.
    path("contracts/<str:contract_ref>/plan/", views.contract_plan, name="contract-plan"),
]
