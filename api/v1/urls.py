"""/api/v1/: one router; each app's endpoints come from its module's ENDPOINTS
(a new app — the chain's shops — adds a module and one line here, and its
endpoints to the keys × scopes matrix in api/tests/test_scopes.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from api import views
from api.v1 import catalog, finance, inventory, purchasing, reports, sales

MODULES = [catalog, inventory, sales, purchasing, finance, reports]

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
for module in MODULES:
    for prefix, viewset, basename in module.ENDPOINTS:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("docs/", views.docs, name="docs"),
    *router.urls,
]
