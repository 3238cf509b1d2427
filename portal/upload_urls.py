"""The CSV upload's addresses, mounted at /upload/ by portal.urls."""

from django.urls import path

from portal import uploads

urlpatterns = [
    path("", uploads.CsvUploadView.as_view(), name="upload"),
    path("sample.csv", uploads.CsvSampleView.as_view(), name="upload-sample"),
    path("<int:upload_id>/", uploads.CsvUploadDetailView.as_view(), name="upload-detail"),
    path("<int:upload_id>/progress/", uploads.CsvUploadProgressView.as_view(), name="upload-progress"),
]
