"""What a posting that failed must leave exactly as it was."""

from inventory.models import StockLevel, StockMove
from jxc.models import DocumentCounter
from purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
)
from sales.models import (
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)

TABLES = [
    StockLevel,
    StockMove,
    DocumentCounter,
    PurchaseOrder,
    PurchaseOrderLine,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    SalesReturn,
    SalesReturnLine,
]


def everything() -> dict:
    """Every row of the stock ledger, the balances, the document counters and the
    documents: what a rolled-back posting must leave exactly as it was."""
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES
    }
