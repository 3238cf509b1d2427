"""The CSV upload's addresses, mounted at /upload/ by portal.urls."""

from django.urls import path

from config.upload_limits import limit_upload_size
from portal import uploads

urlpatterns = [
    path("", limit_upload_size("CSV_UPLOAD_MAX_BYTES")(uploads.CsvUploadView.as_view()), name="upload"),
    path("sample.csv", uploads.CsvSampleView.as_view(), name="upload-sample"),
    path("<int:upload_id>/", uploads.CsvUploadDetailView.as_view(), name="upload-detail"),
    path("<int:upload_id>/progress/", uploads.CsvUploadProgressView.as_view(), name="upload-progress"),
    path("<int:upload_id>/report/", uploads.CsvUploadReportView.as_view(), name="upload-report"),
]
