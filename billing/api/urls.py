from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api import views

router = SimpleRouter()
router.register("invoices", views.InvoiceViewSet, basename="api-invoice")
router.register("billing-runs", views.BillingRunViewSet, basename="api-billing-run")

urlpatterns = [
    *router.urls,
    path("contracts/<str:contract_ref>/hour-bank/", views.HourBankApi.as_view(), name="api-hour-bank"),
    path("contracts/<str:contract_ref>/hour-bank/blocks/", views.HourBankBlockListApi.as_view(),
         name="api-hour-bank-blocks"),
    path("contracts/<str:contract_ref>/hour-bank/ledger/", views.HourBankLedgerApi.as_view(),
         name="api-hour-bank-ledger"),
    path("contracts/<str:contract_ref>/hour-bank/adjustments/", views.HourBankAdjustApi.as_view(),
         name="api-hour-bank-adjust"),
]
