//! Boolean keyword queries against a brute-force oracle.
//!
//! The oracle is set algebra over per-term passage sets written by hand from
//! the bundled article (read passage by passage; stemming folds
//! "assassinations" into "assassination"). `single_terms_match_the_hand_sets`
//! checks the sets themselves; the property test then compares generated
//! boolean expressions of depth up to 4 with the oracle.

use crate::util::index;
use dossier::Query;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// (word, ordinals of the passages that contain it), by reading the text.
const TERMS: [(&str, &[u32]); 10] = [
    ("security", &[1, 4, 5, 6, 8, 10, 11, 12, 13, 14, 16, 18, 19]),
    ("iran", &[1, 3, 4, 5, 6, 10, 12, 13, 14, 15, 16, 19, 20]),
    ("hijab", &[15]),
    ("reckoning", &[11, 19, 20]),
    ("assassination", &[1, 3, 4, 5, 8, 11, 13, 19]),
    ("soil", &[1, 3, 6, 20]),
    ("war", &[4, 12, 13]),
    ("haniyeh", &[3, 4, 5, 11, 17, 19]),
    ("intelligence", &[1, 5, 8, 9, 10, 16, 18]),
    ("nuclear", &[1, 6, 10]),
];

type Set = BTreeSet<u32>;

fn all() -> Set {
    (1..=20).collect()
}

fn term_set(i: usize) -> Set {
    TERMS[i].1.iter().copied().collect()
}

/// The ordinals of the passages the library finds for `text`.
fn found(text: &str) -> Set {
    let r = index()
        .search(&Query::text(text).limit(1000))
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let set: Set = r.hits.iter().map(|h| h.ordinal).collect();
    assert_eq!(r.total, set.len(), "{text:?}: total and hits disagree");
    set
}

fn ordinals(list: &[u32]) -> Set {
    list.iter().copied().collect()
}

#[test]
fn single_terms_match_the_hand_sets() {
    for (i, (word, _)) in TERMS.iter().enumerate() {
        assert_eq!(found(word), term_set(i), "{word}");
    }
}

/// The reproductions of the correctness issue, with their answers.
#[test]
fn negation_works_at_any_depth() {
    let security_not_iran = ordinals(&[8, 11, 18]);
    for q in [
        "security -iran",
        "security AND NOT iran",
        "security AND (-iran)",
        "NOT iran AND security",
        "(NOT iran) security",
    ] {
        assert_eq!(found(q), security_not_iran, "{q}");
    }
    // Every passage that mentions security or does not mention Iran.
    assert_eq!(
        found("security OR NOT iran"),
        ordinals(&[1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19])
    );
    assert_eq!(found("security OR -iran"), found("security OR NOT iran"));
    assert_eq!(found("NOT NOT security"), term_set(0));
    assert_eq!(found("-(-security)"), term_set(0));
    // A purely negative query: every passage except.
    assert_eq!(found("-hijab"), &all() - &ordinals(&[15]));
    assert_eq!(
        found("NOT (hijab OR war)"),
        &all() - &ordinals(&[4, 12, 13, 15])
    );
}

#[test]
fn and_binds_tighter_than_or() {
    // (hijab AND iran) OR (war AND soil): {15} ∪ {} = {15}
    assert_eq!(found("hijab AND iran OR war AND soil"), ordinals(&[15]));
    // nuclear OR (soil AND reckoning): {1,6,10} ∪ {20}
    assert_eq!(
        found("nuclear OR soil AND reckoning"),
        ordinals(&[1, 6, 10, 20])
    );
}

#[test]
fn a_space_is_an_and_and_binds_tighter_than_or() {
    // (hijab war) OR nuclear: {} ∪ {1, 6, 10}
    assert_eq!(found("hijab war OR nuclear"), ordinals(&[1, 6, 10]));
    // hijab (war OR nuclear): {15} ∩ {1, 4, 6, 10, 12, 13}
    assert_eq!(found("hijab (war OR nuclear)"), Set::new());
    // A repeated alternative stays a required group (tantivy's parser
    // dropped the repeat and made the group optional).
    assert_eq!(found("reckoning (hijab OR hijab)"), Set::new());
    assert_eq!(found("reckoning (soil OR soil)"), ordinals(&[20]));
}

#[derive(Debug, Clone)]
enum Expr {
    Term(usize),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

fn eval(e: &Expr) -> Set {
    match e {
        Expr::Term(i) => term_set(*i),
        Expr::Not(x) => &all() - &eval(x),
        Expr::And(a, b) => &eval(a) & &eval(b),
        Expr::Or(a, b) => &eval(a) | &eval(b),
    }
}

/// How to write each node: `style` picks among equivalent spellings.
fn render(e: &Expr, style: u32) -> String {
    let atom = |x: &Expr, style: u32| match x {
        Expr::Term(i) => TERMS[*i].0.to_owned(),
        other => format!("({})", render(other, style)),
    };
    let next = style.rotate_left(3);
    match e {
        Expr::Term(i) => {
            let word = TERMS[*i].0;
            if style.is_multiple_of(5) {
                word.to_uppercase()
            } else {
                word.to_owned()
            }
        }
        Expr::Not(x) => match (style % 3, x.as_ref()) {
            (0, _) => format!("-{}", atom(x, next)),
            // `NOT NOT a` is valid grammar: NOT takes a leaf, which may be NOT.
            (1, Expr::Not(_)) => format!("NOT {}", render(x, next & !1)),
            _ => format!("NOT {}", atom(x, next)),
        },
        Expr::And(a, b) => {
            let op = if style.is_multiple_of(2) {
                " AND "
            } else {
                " "
            };
            format!("{}{op}{}", atom(a, next), atom(b, next.rotate_left(5)))
        }
        Expr::Or(a, b) => format!("{} OR {}", atom(a, next), atom(b, next.rotate_left(5))),
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = (0..TERMS.len()).prop_map(Expr::Term);
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| Expr::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

/// A flat chain `[NOT] t1 OP [NOT] t2 OP ...` with AND and OR, evaluated
/// with the usual precedence (NOT, then AND, then OR).
fn chain() -> impl Strategy<Value = Vec<(bool, usize, bool)>> {
    // (negated, term, AND follows (else OR))
    prop::collection::vec((any::<bool>(), 0..TERMS.len(), any::<bool>()), 1..6)
}

fn eval_chain(items: &[(bool, usize, bool)]) -> Set {
    let mut result = Set::new();
    let mut group = all();
    for (i, (negated, term, and_follows)) in items.iter().enumerate() {
        let t = term_set(*term);
        let t = if *negated { &all() - &t } else { t };
        group = &group & &t;
        let last = i + 1 == items.len();
        if last || !and_follows {
            result = &result | &group;
            group = all();
        }
    }
    result
}

/// `style` bits choose, per item, `-` or `NOT`, and a space or `AND`.
fn render_chain(items: &[(bool, usize, bool)], style: u32) -> String {
    let mut out = String::new();
    for (i, (negated, term, and_follows)) in items.iter().enumerate() {
        let bits = style >> (2 * i);
        if *negated {
            out.push_str(if bits & 1 == 0 { "NOT " } else { "-" });
        }
        out.push_str(TERMS[*term].0);
        if i + 1 < items.len() {
            out.push_str(match (*and_follows, bits & 2 == 0) {
                (true, true) => " AND ",
                (true, false) => " ",
                (false, _) => " OR ",
            });
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn nested_boolean_expressions_match_set_algebra(e in expr(), style in any::<u32>()) {
        let text = render(&e, style);
        prop_assert_eq!(found(&text), eval(&e), "query {}", text);
    }

    #[test]
    fn operator_chains_follow_precedence(items in chain(), style in any::<u32>()) {
        let text = render_chain(&items, style);
        prop_assert_eq!(found(&text), eval_chain(&items), "query {}", text);
    }
}
