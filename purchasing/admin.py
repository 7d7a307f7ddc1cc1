from django.contrib import admin

from jxc.admin import ReadOnlyAdmin
from purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseReturn

admin.site.register([PurchaseOrder, GoodsReceipt, PurchaseReturn], ReadOnlyAdmin)
