from django.contrib import admin

from finance.models import Account, MoneyEntry, OpenItem, PartnerBalance, Payment
from jxc.admin import ReadOnlyAdmin

for model in (Account, MoneyEntry, OpenItem, PartnerBalance, Payment):
    admin.site.register(model, ReadOnlyAdmin)
