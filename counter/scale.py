"""Scale labels (条码秤): written by c2; returns a ScaleReading(product,
quantity, amount|None) or raises ValidationError."""


def read_label(code):
    return None
