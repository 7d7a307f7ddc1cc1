from django.contrib import admin

from jxc.admin import ReadOnlyAdmin
from sales.models import SalesOrder, SalesReturn, Shipment

admin.site.register([SalesOrder, Shipment, SalesReturn], ReadOnlyAdmin)
