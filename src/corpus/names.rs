//! Spelling-tolerant actor names.
//!
//! Persian and Arabic names reach English in many spellings (Esmail, Ismail,
//! Esmaeil; Dehqan, Dehghan). Every name of the registry (id, name, aliases)
//! and every name a user types go through the same [`fold`], and two names
//! match when their folds are equal. The rules, applied in order:
//!
//! 1. Unicode is decomposed (NFD) and combining marks are dropped, so
//!    diacritics vanish (`Rohānī` → `Rohani`).
//! 2. Letters are lower-cased. Every other character (spaces, hyphens,
//!    apostrophes, ayn and hamza marks, dots) separates words.
//! 3. In each word, a final `eh`, `ah`, `e` or `a` becomes `a` (Persian final
//!    he: `Haniyeh` = `Haniya` = `Haniyah`).
//! 4. Digraphs: `gh` → `q` (Dehghan = Dehqan), `ou`, `oo` and `ow` → `u`
//!    (Rouhani = Ruhani = Rowhani), `ee` → `i`, `ph` → `f`, `w` → `v`.
//! 5. Vowels: `e` → `i`, `o` → `u`, `y` → `i` (Esmail = Ismail,
//!    Fereydon = Fereidoun, Younesi = Yunesi).
//! 6. Doubled letters collapse (Mossad = Mosad, Dorri = Dori, Esmaeil =
//!    Esmail); doubled digits do not.
//! 7. The words are joined without separators, so `Dorri-Najafabadi` =
//!    `Dorri Najafabadi` = `DorriNajafabadi`.
//!
//! Spellings these rules cannot reach (Ashena/Ashna) are listed as aliases in
//! the registry. The registry loader rejects two actors whose names fold
//! together, so a fold never picks between actors silently.
//!
//! A name resolves, in order, to: the actor whose id, name or alias folds
//! equal to it; else the persons who have it as one word of their name (a
//! surname or a given name alone). One match resolves; several are reported
//! as ambiguous and all are used; none is an error with suggestions.

use super::{Actor, ActorKind};
use serde::Serialize;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Folds a name to its matching key (see the module docs for the rules).
pub fn fold(name: &str) -> String {
    fold_words(name).concat()
}

/// Folds each word of a name separately.
pub fn fold_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut push_char = |c: char, words: &mut Vec<String>| {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            words.push(fold_word(&std::mem::take(&mut word)));
        }
    };
    // Most names are ASCII: skip the Unicode decomposition for them.
    if name.is_ascii() {
        for c in name.chars() {
            push_char(c, &mut words);
        }
    } else {
        for c in name
            .nfd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        {
            push_char(c, &mut words);
        }
    }
    push_char(' ', &mut words);
    words
}

/// Rules 3 to 6 of the module docs, in one pass over the word.
fn fold_word(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n > 3 && chars[n - 1] == 'h' && matches!(chars[n - 2], 'e' | 'a') {
        chars.truncate(n - 2);
        chars.push('a');
    } else if n > 2 && chars[n - 1] == 'e' {
        chars[n - 1] = 'a';
    }
    let mut out = String::with_capacity(chars.len());
    let mut last = None;
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let (c, width) = match (chars[i], next) {
            ('g', Some('h')) => ('q', 2),
            ('o', Some('u' | 'o' | 'w')) => ('u', 2),
            ('e', Some('e')) => ('i', 2),
            ('p', Some('h')) => ('f', 2),
            ('w', _) => ('v', 1),
            ('e' | 'y', _) => ('i', 1),
            ('o', _) => ('u', 1),
            (c, _) => (c, 1),
        };
        // Doubled letters are a spelling variant; doubled digits are not
        // (actor-1996 is not actor-196).
        if last != Some(c) || c.is_ascii_digit() {
            out.push(c);
        }
        last = Some(c);
        i += width;
    }
    out
}

/// How a typed name was matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "form")]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum MatchedBy {
    /// The actor's id.
    Id,
    /// The actor's name (after folding).
    Name(String),
    /// One of the actor's aliases (after folding).
    Alias(String),
    /// One word of a person's name or alias, such as a surname.
    NamePart(String),
}

/// One actor a name resolved to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct NameMatch {
    /// The actor id.
    pub id: String,
    /// The actor's display name.
    pub name: String,
    /// Which of its names matched.
    pub matched_by: MatchedBy,
}

/// The outcome of resolving a typed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Resolution {
    /// The name as typed.
    pub input: String,
    /// Its fold.
    pub folded: String,
    /// The actors it denotes: one, or several when ambiguous.
    pub matches: Vec<NameMatch>,
}

impl Resolution {
    /// True when the name denotes several actors.
    pub fn is_ambiguous(&self) -> bool {
        self.matches.len() > 1
    }

    /// The matched actor ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.matches.iter().map(|m| m.id.as_str())
    }
}

/// Resolves typed names against the actor registry. It is serializable so
/// that an index can store it prebuilt: folding thousands of aliases on
/// every one-shot query would cost more than the query.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NameResolver {
    /// Full fold → (actor index, how).
    full: HashMap<String, (usize, MatchedBy)>,
    /// Folded word of a person's name → actor indexes.
    words: HashMap<String, Vec<usize>>,
    /// (fold, actor index) of every name, for suggestions.
    all_forms: Vec<(String, usize)>,
    actors: Vec<(String, String)>,
}

/// Two actors whose names fold to the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldCollision {
    /// The shared fold.
    pub folded: String,
    /// The form of the first actor.
    pub first: (String, String),
    /// The form of the second actor.
    pub second: (String, String),
}

impl NameResolver {
    /// Builds the resolver. Returns the collisions found, if any: a resolver
    /// is still built (the first actor wins), so callers can report them all.
    pub fn new(actors: &[Actor]) -> (Self, Vec<FoldCollision>) {
        let mut full: HashMap<String, (usize, MatchedBy)> = HashMap::new();
        let mut words: HashMap<String, Vec<usize>> = HashMap::new();
        let mut all_forms = Vec::new();
        let mut collisions = Vec::new();
        for (i, actor) in actors.iter().enumerate() {
            let forms = std::iter::once((actor.id.as_str(), MatchedBy::Id))
                .chain(std::iter::once((
                    actor.name.as_str(),
                    MatchedBy::Name(actor.name.clone()),
                )))
                .chain(
                    actor
                        .aliases
                        .iter()
                        .map(|a| (a.as_str(), MatchedBy::Alias(a.clone()))),
                );
            for (form, how) in forms {
                let form_words = fold_words(form);
                let folded = form_words.concat();
                if folded.is_empty() {
                    continue;
                }
                match full.get(&folded) {
                    Some((j, _)) if *j != i => collisions.push(FoldCollision {
                        folded: folded.clone(),
                        first: (actors[*j].id.clone(), form_of(&actors[*j], &folded)),
                        second: (actor.id.clone(), form.to_owned()),
                    }),
                    Some(_) => {}
                    None => {
                        all_forms.push((folded.clone(), i));
                        full.insert(folded, (i, how));
                    }
                }
                if actor.kind == ActorKind::Person && form != actor.id {
                    for w in form_words {
                        let entry = words.entry(w).or_default();
                        if !entry.contains(&i) {
                            entry.push(i);
                        }
                    }
                }
            }
        }
        let actors = actors
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        (
            NameResolver {
                full,
                words,
                all_forms,
                actors,
            },
            collisions,
        )
    }

    /// Resolves a typed name. `None` when nothing matches; see
    /// [`NameResolver::suggest`] for what to offer instead.
    pub fn resolve(&self, input: &str) -> Option<Resolution> {
        let folded = fold(input);
        let matches = if let Some((i, how)) = self.full.get(&folded) {
            vec![self.make_match(*i, how.clone())]
        } else {
            let words = fold_words(input);
            if words.len() != 1 {
                return None;
            }
            let hits = self.words.get(&words[0])?;
            hits.iter()
                .map(|&i| self.make_match(i, MatchedBy::NamePart(input.to_owned())))
                .collect()
        };
        Some(Resolution {
            input: input.to_owned(),
            folded,
            matches,
        })
    }

    fn make_match(&self, i: usize, matched_by: MatchedBy) -> NameMatch {
        let (id, name) = &self.actors[i];
        NameMatch {
            id: id.clone(),
            name: name.clone(),
            matched_by,
        }
    }

    /// Up to `n` actor names closest to `input`, best first. Every id, name
    /// and alias competes; each actor is offered once, by its display name.
    pub fn suggest(&self, input: &str, n: usize) -> Vec<String> {
        let folded = fold(input);
        let mut scored: Vec<(f64, usize)> = self
            .all_forms
            .iter()
            .map(|(f, i)| (strsim::jaro_winkler(&folded, f), *i))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut out: Vec<usize> = Vec::new();
        for (_, i) in scored {
            if out.len() == n {
                break;
            }
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out.into_iter().map(|i| self.actors[i].1.clone()).collect()
    }
}

fn form_of(actor: &Actor, folded: &str) -> String {
    std::iter::once(&actor.id)
        .chain(std::iter::once(&actor.name))
        .chain(actor.aliases.iter())
        .find(|f| fold(f) == folded)
        .cloned()
        .unwrap_or_else(|| actor.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliteration_variants_fold_together() {
        let pairs = [
            ("Esmail Khatib", "Ismail Khatib"),
            ("Esmaeil Khatib", "Ismail Khatib"),
            ("Ismail Haniyeh", "Ismail Haniya"),
            ("Haniyeh", "Haniyah"),
            ("Haniyeh", "haniyeh"),
            ("Hossein Dehqan", "Hossein Dehghan"),
            ("Hossein", "Husein"),
            ("Fereydon Abbasi", "Fereydoun Abasi"),
            ("Fereydon", "Fereidoun"),
            ("Ali Younesi", "Ali Yunesi"),
            ("Qorbanali Dorri Najafabadi", "Ghorbanali Dorri-Najafabadi"),
            ("Dorri-Najafabadi", "Dori Najafabadi"),
            ("Hassan Rouhani", "Hasan Rohani"),
            ("Rouhani", "Rowhani"),
            ("Masoud Pezeshkian", "Masud Pezeshkiyan"),
            ("Mohsen Fakhrizadeh", "Mohsen Fakhri-Zadeh"),
            ("Fakhrizadeh", "Fakhrizade"),
            ("Ali Khamenei", "Ali Khameney"),
            ("Mossad", "MOSAD"),
            ("Rohānī", "Rohani"),
            ("Hesameddin", "Hessameddin"),
            ("Mr. Khatib", "mr khatib"),
            ("Mousavi", "Musawi"),
        ];
        for (a, b) in pairs {
            assert_eq!(fold(a), fold(b), "{a} vs {b}");
        }
    }

    #[test]
    fn distinct_names_stay_apart() {
        let pairs = [
            ("Iran", "Israel"),
            ("Ali", "Alireza"),
            ("Hamas", "Hamshahri"),
            ("Khatib", "Khamenei"),
        ];
        for (a, b) in pairs {
            assert_ne!(fold(a), fold(b), "{a} vs {b}");
        }
    }

    #[test]
    fn doubled_digits_stay_doubled() {
        // Found while building the benchmark: its generated ids are numbered,
        // and folding merged actor-1996 into actor-196.
        assert_eq!(fold("actor-1996"), "actur1996");
        assert_eq!(fold("actor-196"), "actur196");
        assert_eq!(fold("actor-1100"), "actur1100");
        assert_eq!(fold("Mossad-77"), "musad77", "letters still collapse");
        let actors = vec![
            actor("actor-1996", "Actor 1996", ActorKind::Group, &[]),
            actor("actor-196", "Actor 196", ActorKind::Group, &[]),
        ];
        let (r, collisions) = NameResolver::new(&actors);
        assert!(collisions.is_empty(), "{collisions:?}");
        for id in ["actor-1996", "actor-196"] {
            assert_eq!(r.resolve(id).unwrap().ids().collect::<Vec<_>>(), [id]);
        }
    }

    #[test]
    fn folds_keep_word_boundaries_for_name_parts() {
        assert_eq!(
            fold_words("Dorri-Najafabadi, Qorbanali"),
            vec!["duri", "najafabadi", "qurbanali"]
        );
        assert!(fold_words("  ’ - ").is_empty());
    }

    fn actor(id: &str, name: &str, kind: ActorKind, aliases: &[&str]) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            kind,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            country: None,
            role: None,
            camp: None,
            description: None,
        }
    }

    #[test]
    fn resolves_full_names_parts_and_ambiguity() {
        let actors = vec![
            actor(
                "ali-khamenei",
                "Ali Khamenei",
                ActorKind::Person,
                &["Ayatollah Khamenei"],
            ),
            actor("ali-younesi", "Ali Younesi", ActorKind::Person, &[]),
            actor("iran", "Iran", ActorKind::State, &["Islamic Republic"]),
        ];
        let (r, collisions) = NameResolver::new(&actors);
        assert!(collisions.is_empty());
        let got = r.resolve("ayatollah khamenei").unwrap();
        assert_eq!(got.matches[0].id, "ali-khamenei");
        assert_eq!(
            got.matches[0].matched_by,
            MatchedBy::Alias("Ayatollah Khamenei".into())
        );
        assert_eq!(
            r.resolve("Yunesi").unwrap().ids().collect::<Vec<_>>(),
            vec!["ali-younesi"]
        );
        let ali = r.resolve("Ali").unwrap();
        assert!(ali.is_ambiguous());
        assert_eq!(
            ali.ids().collect::<Vec<_>>(),
            vec!["ali-khamenei", "ali-younesi"]
        );
        assert!(
            r.resolve("Republic").is_none(),
            "name parts only apply to persons"
        );
        assert!(r.resolve("Zarif").is_none());
        assert_eq!(r.suggest("Kamenei", 1), vec!["Ali Khamenei".to_string()]);
    }

    #[test]
    fn collisions_are_reported() {
        let actors = vec![
            actor("a", "Haniyeh", ActorKind::Person, &[]),
            actor("b", "Haniya", ActorKind::Person, &[]),
        ];
        let (_, collisions) = NameResolver::new(&actors);
        assert_eq!(collisions.len(), 1);
        assert_eq!(collisions[0].first.0, "a");
        assert_eq!(
            collisions[0].second,
            ("b".to_string(), "Haniya".to_string())
        );
    }
}
