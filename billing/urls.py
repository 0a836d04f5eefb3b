from django.urls import path

from billing import views

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice-list"),
    path("invoices/<str:invoice_ref>/", views.invoice_detail, name="invoice-detail"),
    path("invoices/<str:invoice_ref>/issue/", views.invoice_issue, name="invoice-issue"),
    path("invoices/<str:invoice_ref>/payments/", views.invoice_payment, name="invoice-payment"),
    path("invoices/<str:invoice_ref>/credit-notes/", views.invoice_credit, name="invoice-credit"),
    path("invoices/<str:invoice_ref>/report/", views.invoice_report, name="invoice-report"),
    path("invoices/<str:invoice_ref>/<str:kind>/", views.invoice_download, name="invoice-download"),
    path("billing/run/", views.billing_run, name="billing-run"),
    path("billing/run/progress/", views.billing_run_progress, name="billing-run-progress"),
    path("billing/charts/<str:contract_ref>/<str:chart>.svg", views.contract_chart, name="contract-chart"),
    path("billing/settings/", views.billing_settings, name="billing-settings"),
    path("billing/hour-banks/", views.hour_bank_list, name="hour-bank-list"),
    path("billing/hour-banks/<str:contract_ref>/", views.hour_bank_detail, name="hour-bank-detail"),
    path("billing/hour-banks/<str:contract_ref>/buy/", views.hour_bank_buy, name="hour-bank-buy"),
    path("billing/hour-banks/<str:contract_ref>/adjust/", views.hour_bank_adjust, name="hour-bank-adjust"),
]
