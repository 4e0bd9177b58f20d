//! Text folding used by every key: one pass per string.
//!
//! ASCII strings (the common case) take a byte loop with no allocation beyond the
//! output; only non-ASCII strings pay for Unicode NFKC and case folding.

use unicode_normalization::UnicodeNormalization;

/// Fold `s` into `out`: NFKC + casefold (non-ASCII only), every run of
/// punctuation or whitespace becomes one space, trimmed at both ends.
pub fn fold_text_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        push_folded(s.bytes().map(|b| b as char), out);
    } else {
        let folded = caseless::default_case_fold_str(&s.nfkc().collect::<String>());
        push_folded(folded.nfkc(), out);
    }
}

/// Convenience wrapper returning a new string.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_text_into(s, &mut out);
    out
}

#[inline]
fn push_folded(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut pending_space = false;
    for c in chars {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_space = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_punctuation_and_space() {
        assert_eq!(fold_text("  Salsa-Night!!  @ The   Loft "), "salsa night the loft");
        assert_eq!(fold_text(""), "");
        assert_eq!(fold_text("!!!"), "");
    }

    #[test]
    fn non_ascii_gets_nfkc_and_casefold() {
        assert_eq!(fold_text("STRASSE Straße"), "strasse strasse");
        // Full-width letters and the ligature fold to plain ASCII under NFKC.
        assert_eq!(fold_text("ＳＡＬＳＡ ﬁesta"), "salsa fiesta");
        assert_eq!(fold_text("Café Tango"), "café tango");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in ["Forró  Night", "ZOUK/Kizomba", "Ⅻ Milonga", "ǅemal"] {
            let once = fold_text(s);
            assert_eq!(fold_text(&once), once, "{s}");
        }
    }
}
