from shidian.apps.selection.views import (
    approval,
    batches,
    controls,
    design,
    overview,
    recommend,
    reconcile,
    review,
    shortlist,
)

app_name = "selection"
urlpatterns = [
    *overview.urlpatterns,
    *recommend.urlpatterns,
    *shortlist.urlpatterns,
    *review.urlpatterns,
    *reconcile.urlpatterns,
    *batches.urlpatterns,
    *controls.urlpatterns,
    *design.urlpatterns,
    *approval.urlpatterns,
]
