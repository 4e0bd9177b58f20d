//! Text folding used by every key: one pass per string.
//!
//! ASCII strings (the common case) take a byte loop with no allocation beyond the
//! output; only non-ASCII strings pay for Unicode NFKC and case folding.

use caseless::Caseless;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

thread_local! {
    /// The NFKC and case-folded forms of the non-ASCII value being folded.
    static FOLD_SCRATCH: std::cell::RefCell<(String, String)> = std::cell::RefCell::default();
}

/// Fold `s` into `out`: NFKC + casefold (non-ASCII only), every run of
/// punctuation or whitespace becomes one space, trimmed at both ends.
pub fn fold_text_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        push_folded_ascii(s.as_bytes(), out);
    } else {
        // NFKC(casefold(NFKC(s))), skipping each NFKC pass the quick check proves a no-op
        // (most non-ASCII text - accents, emoji - is already NFKC).
        // Two reused scratch strings per thread: no allocation per non-ASCII value.
        FOLD_SCRATCH.with(|cell| {
            let (nfkc, folded) = &mut *cell.borrow_mut();
            let nfkc: &str = if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
                s
            } else {
                nfkc.clear();
                nfkc.extend(s.nfkc());
                nfkc
            };
            // Case folding maps each character on its own, so ASCII (most of any
            // title) skips the table search.
            folded.clear();
            for c in nfkc.chars() {
                if c.is_ascii() {
                    folded.push(c.to_ascii_lowercase());
                } else {
                    folded.extend(std::iter::once(c).default_case_fold());
                }
            }
            if is_nfkc_quick(folded.chars()) == IsNormalized::Yes {
                push_folded(folded.chars(), out);
            } else {
                push_folded(folded.nfkc(), out);
            }
        });
    }
}

/// Convenience wrapper returning a new string.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_text_into(s, &mut out);
    out
}

/// Words that decorate a title without naming the event ("DJ Ana presents ..."); the
/// match in `is_title_noise` is what runs, this list pins it in a test.
#[cfg(test)]
const TITLE_NOISE: &[&str] = &[
    "a",
    "an",
    "and",
    "at",
    "by",
    "feat",
    "featuring",
    "ft",
    "of",
    "present",
    "presented",
    "presents",
    "the",
    "with",
];

/// `TITLE_NOISE.contains(w)`, as one match the compiler turns into a length switch.
fn is_title_noise(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "and"
            | "at"
            | "by"
            | "feat"
            | "featuring"
            | "ft"
            | "of"
            | "present"
            | "presented"
            | "presents"
            | "the"
            | "with"
    )
}

/// Words that say what kind of place a venue is, not which one.
const VENUE_GENERIC: &[&str] = &[
    "academy", "ballroom", "bar", "center", "centre", "club", "dance", "dancing", "hall", "lounge",
    "room", "salon", "school", "studio", "studios", "the",
];

/// Street suffixes spelled out or abbreviated: both fold to the short form.
const STREET_SUFFIXES: &[(&str, &str)] = &[
    ("avenue", "ave"),
    ("boulevard", "blvd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("place", "pl"),
    ("road", "rd"),
    ("square", "sq"),
    ("street", "st"),
];

/// Keep the words of an already folded string that `keep` accepts, mapped by `map`;
/// `kept` sees each word written to `out`. False when nothing survives: `out` is then
/// the folded string itself, so a name never vanishes.
fn filter_words(
    folded: &str,
    keep: impl Fn(&str) -> bool,
    map: impl Fn(&str) -> &str,
    out: &mut String,
    kept: &mut impl FnMut(&str),
) -> bool {
    out.clear();
    for word in folded.split(' ').filter(|w| keep(w)) {
        if !out.is_empty() {
            out.push(' ');
        }
        let word = map(word);
        out.push_str(word);
        kept(word);
    }
    if out.is_empty() {
        out.push_str(folded);
        return false;
    }
    true
}

/// Fold `s` into `fold`, then its words that `keep` accepts, mapped by `map`, into
/// `out` (see `filter_words`). Text whose only foldable characters are ASCII letters
/// and digits (plain ASCII, or with emoji and punctuation) takes a single pass.
fn fold_filter_into(
    s: &str,
    fold: &mut String,
    out: &mut String,
    keep: impl Fn(&str) -> bool,
    map: impl Fn(&str) -> &str,
    kept: &mut impl FnMut(&str),
) -> bool {
    if s.is_ascii() {
        fold_filter_fast(s.bytes().map(char::from), fold, out, keep, map, kept)
    } else if s.chars().all(|c| c.is_ascii() || is_inert(c)) {
        fold_filter_fast(s.chars(), fold, out, keep, map, kept)
    } else {
        fold_text_into(s, fold);
        filter_words(fold, keep, map, out, kept)
    }
}

/// A character that NFKC and case folding leave alone and that the fold turns into a
/// word break: not alphanumeric, NFKC-stable on its own (so it composes with nothing),
/// a starter (so nothing reorders around it). Emoji, dashes and curly quotes are.
fn is_inert(c: char) -> bool {
    !c.is_alphanumeric()
        && canonical_combining_class(c) == 0
        && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// `fold_filter_into` for text whose only foldable characters are ASCII letters and
/// digits: everything else breaks words.
fn fold_filter_fast(
    chars: impl Iterator<Item = char>,
    fold: &mut String,
    out: &mut String,
    keep: impl Fn(&str) -> bool,
    map: impl Fn(&str) -> &str,
    kept: &mut impl FnMut(&str),
) -> bool {
    fold.clear();
    out.clear();
    let mut word: Option<usize> = None; // where the current word starts in `fold`
    let mut end_word = |fold: &String, at: usize, out: &mut String| {
        let w = &fold[at..];
        if keep(w) {
            if !out.is_empty() {
                out.push(' ');
            }
            let w = map(w);
            out.push_str(w);
            kept(w);
        }
    };
    for c in chars {
        if c.is_ascii_alphanumeric() {
            if word.is_none() {
                if !fold.is_empty() {
                    fold.push(' ');
                }
                word = Some(fold.len());
            }
            fold.push(c.to_ascii_lowercase());
        } else if let Some(at) = word.take() {
            end_word(fold, at, out);
        }
    }
    if let Some(at) = word {
        end_word(fold, at, out);
    }
    if out.is_empty() {
        out.push_str(fold);
        return false;
    }
    true
}

/// Title form for fuzzy matching: folded, noise words dropped. The plain fold is
/// left in `scratch` (the exact key's material).
pub fn title_norm_into(s: &str, scratch: &mut String, out: &mut String) {
    title_norm_words_into(s, scratch, out, &mut |_| {});
}

/// `title_norm_into`, with `kept` seeing each word of `out`; false when no word
/// survived the noise filter (`out` is then the whole fold and `kept` saw nothing).
pub fn title_norm_words_into(
    s: &str,
    scratch: &mut String,
    out: &mut String,
    kept: &mut impl FnMut(&str),
) -> bool {
    fold_filter_into(s, scratch, out, |w| !is_title_noise(w), |w| w, kept)
}

fn short_suffix(word: &str) -> &str {
    STREET_SUFFIXES
        .iter()
        .find(|(long, _)| *long == word)
        .map_or(word, |(_, abbr)| abbr)
}

/// Whether a folded venue word names the place: not a generic word, not a house
/// number ("Loft, 12 Main St" is the Loft wherever on the street it is).
fn names_venue(w: &str) -> bool {
    !w.is_empty() && !VENUE_GENERIC.contains(&w) && !w.bytes().all(|b| b.is_ascii_digit())
}

/// Venue form for fuzzy matching: folded, generic words dropped, street suffixes shortened.
pub fn venue_norm_into(s: &str, scratch: &mut String, out: &mut String) {
    fold_filter_into(s, scratch, out, names_venue, short_suffix, &mut |_| {});
}

/// Convenience wrappers returning new strings (tests and inspection).
pub fn title_norm(s: &str) -> String {
    let (mut scratch, mut out) = (String::new(), String::new());
    title_norm_into(s, &mut scratch, &mut out);
    out
}

pub fn venue_norm(s: &str) -> String {
    let (mut scratch, mut out) = (String::new(), String::new());
    venue_norm_into(s, &mut scratch, &mut out);
    out
}

/// `push_folded` for ASCII bytes: the same rule with byte tests.
fn push_folded_ascii(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len());
    let mut pending_space = false;
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
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
        assert_eq!(
            fold_text("  Salsa-Night!!  @ The   Loft "),
            "salsa night the loft"
        );
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

    #[test]
    fn the_noise_match_is_the_noise_list() {
        for w in TITLE_NOISE {
            assert!(is_title_noise(w), "{w}");
        }
        assert!(!is_title_noise("salsa") && !is_title_noise(""));
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_char_path() {
        for s in ["  Salsa-Night!!  @ The   Loft ", "", "!!!", "a1_b2", "X"] {
            let (mut fast, mut slow) = (String::new(), String::new());
            push_folded_ascii(s.as_bytes(), &mut fast);
            push_folded(s.chars(), &mut slow);
            assert_eq!(fast, slow, "{s:?}");
        }
    }

    #[test]
    fn title_noise_words_go() {
        assert_eq!(
            title_norm("DJ Ana presents: The Salsa Social!"),
            "dj ana salsa social"
        );
        assert_eq!(title_norm("The"), "the"); // nothing else left: keep the folded title
        assert_eq!(title_norm(""), "");
    }

    #[test]
    fn venue_generic_words_go_and_suffixes_shorten() {
        assert_eq!(venue_norm("The Loft Dance Studio"), "loft");
        assert_eq!(venue_norm("loft studios"), "loft");
        assert_eq!(venue_norm("Hall on Main Street"), "on main st");
        assert_eq!(
            venue_norm("Copper Club, 471 Main Avenue"),
            "copper main ave"
        );
        assert_eq!(venue_norm("Dance Studio"), "dance studio");
    }

    #[test]
    fn fuzzy_forms_are_idempotent() {
        for s in [
            "The Loft Dance Studio",
            "DJ Ana presents Salsa",
            "Straße Ballroom",
            "a an the",
        ] {
            assert_eq!(title_norm(&title_norm(s)), title_norm(s), "{s}");
            assert_eq!(venue_norm(&venue_norm(s)), venue_norm(s), "{s}");
        }
    }

    /// A form's function and its word rules (keep, map).
    type Rules = (
        fn(&str, &mut String, &mut String),
        fn(&str) -> bool,
        fn(&str) -> &str,
    );

    #[test]
    fn fast_paths_match_fold_then_filter() {
        for t in [
            "",
            "!!",
            "The Salsa Night",
            "DJ Ana presents: SALSA",
            "  a  the ",
            "with",
            "Tango-Milonga at 9pm!!",
            "x",
            "presents presents",
            "Bachata & Kizomba",
            "Urban Kiz Night \u{1f57a} with DJ Mo",
            "Blues \u{2014} \u{201c}Late\u{201d} \u{1f3b6}",
            "Forr\u{f3} Night",
            "\u{2122} Salsa",
            "Cafe\u{301} tango",
            "\u{1f1e8}\u{1f1ed} Z\u{fc}rich",
            "\u{2460} class",
            "The Loft Dance Studio, 12 Main Street",
            "Salle \u{2014} 471 Granville Avenue \u{1f483}",
            "Studio 5",
        ] {
            let (mut fold, mut norm) = (String::new(), String::new());
            let want_fold = fold_text(t);
            // Titles and venues take the same paths, each with its own word rules.
            let rules: [Rules; 2] = [
                (title_norm_into, |w| !is_title_noise(w), |w| w),
                (venue_norm_into, names_venue, short_suffix),
            ];
            for (norm_into, keep, map) in rules {
                norm_into(t, &mut fold, &mut norm);
                let mut want = String::new();
                filter_words(&want_fold, keep, map, &mut want, &mut |_| {});
                assert_eq!(
                    (fold.as_str(), norm.as_str()),
                    (want_fold.as_str(), want.as_str()),
                    "{t:?}"
                );
            }
        }
    }
}
