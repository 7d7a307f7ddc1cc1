from django.db import migrations

from accounts.roles import OWNER, STAFF, grant_permissions

# The counter's payment methods (sales.PaymentMethod) and the account each pays
# into; 挂账 (account) is no payment.
DEFAULT_ACCOUNTS = [
    ("现金", "cash", "cash"),
    ("微信", "wechat", "wechat"),
    ("支付宝", "alipay", "alipay"),
    ("银行卡", "bank", "card"),
]


def accounts(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    for name, kind, method in DEFAULT_ACCOUNTS:
        Account.objects.get_or_create(
            name=name, defaults={"kind": kind, "payment_method": method}
        )


def roles(apps, schema_editor):
    staff = [
        ("finance", "payment", "collect_payment"),
        ("finance", "payment", "view_receivables"),
        ("finance", "payment", "view_payment"),
        ("finance", "account", "view_account"),
    ]
    grant_permissions(apps, STAFF, staff)
    grant_permissions(
        apps,
        OWNER,
        staff
        + [
            ("finance", "payment", "pay_supplier"),
            ("finance", "payment", "view_payables"),
            ("finance", "payment", "approve_credit"),
            ("finance", "payment", "view_profit"),
            ("finance", "payment", "cancel_payment"),
            ("finance", "account", "add_account"),
            ("finance", "account", "change_account"),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_money_ledger"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(accounts, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
