from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api import views

router = SimpleRouter()
router.register("invoices", views.InvoiceViewSet, basename="api-invoice")
router.register("billing-runs", views.BillingRunViewSet, basename="api-billing-run")

urlpatterns = [
    *router.urls,
    path("invoices/<str:invoice_ref>/pdf/", views.InvoicePdfApi.as_view(), name="api-invoice-pdf"),
    path("invoices/<str:invoice_ref>/xml/", views.InvoiceXmlApi.as_view(), name="api-invoice-xml"),
    path("invoices/<str:invoice_ref>/credit-notes/<str:credit_note_ref>/pdf/", views.CreditNotePdfApi.as_view(),
         name="api-credit-note-pdf"),
    path("invoices/<str:invoice_ref>/credit-notes/<str:credit_note_ref>/xml/", views.CreditNoteXmlApi.as_view(),
         name="api-credit-note-xml"),
    path("reports/", views.MonthlyReportListApi.as_view(), name="api-reports"),
    path("reports/<str:contract_ref>/<str:report_month>/", views.MonthlyReportApi.as_view(), name="api-report"),
    path("reports/<str:contract_ref>/<str:report_month>/pdf/", views.MonthlyReportPdfApi.as_view(),
         name="api-report-pdf"),
    path("reports/<str:contract_ref>/<str:report_month>/regenerate/", views.MonthlyReportRegenerateApi.as_view(),
         name="api-report-regenerate"),
    path("billing/settings/", views.BillingSettingsApi.as_view(), name="api-billing-settings"),
    path("contracts/<str:contract_ref>/hour-bank/", views.HourBankApi.as_view(), name="api-hour-bank"),
    path("contracts/<str:contract_ref>/hour-bank/sync/", views.HourBankSyncApi.as_view(), name="api-hour-bank-sync"),
    path("contracts/<str:contract_ref>/hour-bank/blocks/", views.HourBankBlockListApi.as_view(),
         name="api-hour-bank-blocks"),
    path("contracts/<str:contract_ref>/hour-bank/ledger/", views.HourBankLedgerApi.as_view(),
         name="api-hour-bank-ledger"),
    path("contracts/<str:contract_ref>/hour-bank/adjustments/", views.HourBankAdjustApi.as_view(),
         name="api-hour-bank-adjust"),
]
