"""The first-run wizard's pages: one per step, each saving through the owning app's
service; 完成此步 / 跳过 mark a step, and /setup/ resumes at the first step left.

Every page is the owner's (firstrun.change_setupprogress) and needs the
permission of what the step writes as well. A GET writes nothing: the progress
row is made at the sign-in that opens the wizard (accounts.views.SignInView)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.forms import UserCreateForm
from accounts.roles import STAFF
from catalog import selectors as catalog_selectors
from catalog.models import Product
from firstrun import forms, selectors, services
from firstrun.models import STEP_KEYS, STEPS, StepState
from jxc.views import form_saved

RUN_SETUP = selectors.RUN_SETUP
MANAGE_USERS = "accounts.manage_users"


def _also(request, *permissions) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _page(request, step: str, template: str, context: dict):
    found = selectors.progress()
    steps = selectors.steps(found)
    index = STEP_KEYS.index(step) if step in STEP_KEYS else len(STEP_KEYS)
    return render(
        request,
        template,
        {
            "steps": steps,
            "step": step,
            "number": index + 1,
            "state": found.state(step) if found and step in STEP_KEYS else None,
            **context,
        },
    )


def _onwards(step: str):
    """The step after ``step`` (after the last: the done page)."""
    index = STEP_KEYS.index(step)
    following = STEP_KEYS[index + 1] if index + 1 < len(STEP_KEYS) else "done"
    return redirect(f"firstrun:{following}")


@permission_required(RUN_SETUP, raise_exception=True)
@require_GET
def start(request):
    """Resume: the first step neither done nor skipped (all were: the end)."""
    found = selectors.progress()
    following = found.next_step if found else STEP_KEYS[0]
    return redirect(f"firstrun:{following or 'done'}")


@permission_required(RUN_SETUP, raise_exception=True)
@require_POST
def step_end(request):
    """完成此步 or 跳过 for a step (a step that saves a form is done by saving)."""
    step, action = request.POST.get("step"), request.POST.get("action")
    if step not in STEP_KEYS or action not in StepState.values:
        messages.error(request, _("That step does not exist. Nothing was changed."))
        return redirect("firstrun:start")
    if step == "products" and action == StepState.DONE and not Product.objects.exists():
        messages.error(
            request,
            _(
                "There are no products yet: import them or add a few, or skip "
                "this step."
            ),
        )
        return redirect("firstrun:products")
    services.setup_step_mark(step=step, state=action)
    title = dict(STEPS)[step]
    if action == StepState.DONE:
        messages.success(request, _("“%(step)s” is done.") % {"step": title})
    else:
        messages.success(
            request,
            _("“%(step)s” skipped: it stays on the dashboard's checklist.")
            % {"step": title},
        )
    return _onwards(step)


@permission_required(RUN_SETUP, raise_exception=True)
@require_POST
def dismiss(request):
    """Put the dashboard's checklist away."""
    services.setup_dismiss()
    messages.success(
        request,
        _("The setup checklist is hidden. Step-by-step setup stays in the menu."),
    )
    return redirect("home")


@permission_required(RUN_SETUP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def shop(request):
    _also(request, "catalog.change_shopprofile")
    form = forms.ShopStepForm(
        request.POST or None, instance=catalog_selectors.shop_profile()
    )
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: services.shop_step_save(data=data, user=request.user),
        lambda _saved: _("Shop details saved."),
    ):
        return _onwards("shop")
    return _page(request, "shop", "firstrun/shop.html", {"form": form})


@permission_required(RUN_SETUP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def warehouses(request):
    """Rename the default warehouse, add more."""
    _also(request, "catalog.add_warehouse", "catalog.change_warehouse")
    form = forms.WarehouseNameForm(request.POST or None)
    if request.method == "POST":

        def save(data):
            if data["warehouse"] is not None:
                return services.warehouse_rename(
                    warehouse=data["warehouse"], name=data["name"], user=request.user
                )
            return services.warehouse_add(name=data["name"], user=request.user)

        if form_saved(
            request,
            form,
            save,
            lambda saved: _("Warehouse “%(name)s” saved.") % {"name": saved.name},
        ):
            return redirect("firstrun:warehouses")
    return _page(
        request,
        "warehouses",
        "firstrun/warehouses.html",
        {
            "form": form,
            "warehouses": selectors.warehouses(),
            "new_form": forms.WarehouseNameForm(auto_id="new_%s"),
        },
    )


@permission_required(RUN_SETUP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def products(request):
    """Import the goods (catalog's import) or add a few by hand."""
    _also(request, "catalog.add_product")
    form = forms.ProductByHandForm(request.POST or None)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: services.product_by_hand_add(
            name=data["name"],
            unit=data["unit"],
            sale_price=data["sale_price"],
            barcode=data["barcode"],
            user=request.user,
        ),
        lambda saved: (
            _("Product “%(name)s” added (SKU %(sku)s).")
            % {"name": saved.name, "sku": saved.sku}
        ),
    ):
        return redirect("firstrun:products")
    return _page(
        request,
        "products",
        "firstrun/products.html",
        {
            "form": form,
            "products": list(Product.objects.order_by("-pk")[:20]),
            "product_count": Product.objects.count(),
        },
    )


@permission_required(RUN_SETUP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def opening(request):
    """Import opening stock (inventory's import) or type the quantities of the
    products no stock was booked for yet."""
    _also(request, "inventory.add_openingstock")
    lines = selectors.products_without_stock()
    form = forms.OpeningQuantitiesForm(request.POST or None, lines=lines)
    if request.method == "POST":
        by_pk = {product.pk: product for product in lines}

        def save(data):
            return services.opening_quantities_post(
                quantities={by_pk[pk]: costed for pk, costed in form.costed().items()},
                warehouse=data["warehouse"],
                submission=data["submission"],
                user=request.user,
            )

        if form_saved(
            request,
            form,
            save,
            lambda saved: (
                _("%(number)s posted: opening stock for %(count)d lines.")
                % {"number": saved.number, "count": saved.lines.count()}
            ),
        ):
            return _onwards("opening")
    return _page(request, "opening", "firstrun/opening.html", {"form": form})


@permission_required(RUN_SETUP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def staff(request):
    """Accounts for the clerks, through accounts' own form and service."""
    _also(request, MANAGE_USERS)
    form = UserCreateForm(request.POST or None, initial={"role": STAFF})
    form.helper.form_action = reverse("firstrun:staff")
    form.helper.form_id = "staff-form"
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: accounts_services.user_create(
            username=data["username"],
            password=data["password1"],
            role=data["role"],
            first_name=data["first_name"],
            acting_user=request.user,
        ),
        lambda user: _("Account “%(name)s” created.") % {"name": user.username},
    ):
        return redirect("firstrun:staff")
    return _page(
        request,
        "staff",
        "firstrun/staff.html",
        {"form": form, "users": list(accounts_selectors.managed_users())},
    )


@permission_required(RUN_SETUP, raise_exception=True)
@require_GET
def done(request):
    return _page(request, "done", "firstrun/done.html", {})
