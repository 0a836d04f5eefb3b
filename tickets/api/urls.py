from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from tickets.api import plans, views

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="api-ticket")
router.register("canned-replies", views.CannedReplyViewSet, basename="api-canned-reply")

urlpatterns = [
    path("support-desk/", views.SupportDeskApi.as_view(), name="api-support-desk"),
    *router.urls,
    # Under the contract's address, with the name and pattern it had as an action of the
    # contracts' router: the plans are tickets', the contract knows nothing of them.
    re_path(r"^contracts/(?P<contract_ref>[^/.]+)/preventive-plans/$", plans.ContractPreventivePlansApi.as_view(),
            name="api-contract-preventive-plans"),
]
