"""Search keys for Chinese names: full pinyin and initials, so `pingguo` and `pg`
both find 苹果."""

import unicodedata

from pypinyin import Style, lazy_pinyin


def normalize_text(value: str) -> str:
    """Fold full-width letters and digits (ＡＢ１２ → ab12), lower-case, trim."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def fold_code(value: str) -> str:
    """A code as typed or scanned, with full-width characters folded and no spaces
    around it; case is kept."""
    return unicodedata.normalize("NFKC", value or "").strip()


def pinyin_keys(name: str) -> str:
    """'pingguo pg' for 苹果; runs that are not Chinese stay as they are."""
    text = normalize_text(name).replace(" ", "")
    if not text:
        return ""
    full = "".join(lazy_pinyin(text, style=Style.NORMAL))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return f"{full} {initials}"


def search_text(*codes: str, name: str) -> str:
    """One lower-case string holding every way a clerk may type to find a record."""
    words = [normalize_text(code) for code in codes if code]
    words.append(normalize_text(name))
    words.append(pinyin_keys(name))
    return " ".join(word for word in words if word)
