from django.contrib import admin

from catalog.admin import ReadOnlyAdmin
from purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseReturn

admin.site.register([PurchaseOrder, GoodsReceipt, PurchaseReturn], ReadOnlyAdmin)
