//! A deterministic generator of large corpora in dossier's own format.
//!
//! Text follows a Zipf law over a vocabulary of 60,000 words: the bundled
//! article's own words take the top ranks, synthetic words the rest.
//! Passages have 40–120 words, 1–6 actor mentions, 0–3 stances, 1–3 topics
//! and about 0.6 dated events, like the real article. 2,000 actors carry
//! transliteration-style aliases. Articles are written one at a time, so
//! memory does not grow with the corpus.

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

pub const VOCABULARY: usize = 60_000;
pub const ACTORS: usize = 2_000;
pub const PASSAGES_PER_ARTICLE: usize = 20;
const SEED_ARTICLE: &str = include_str!("../../corpus/articles/iran-intel/text.txt");
const STANCES: &str = include_str!("../../corpus/stances.toml");
const TOPICS: &str = include_str!("../../corpus/topics.toml");

/// What the benchmark needs to know about a generated corpus to pick
/// queries that have answers.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Manifest {
    pub passages: usize,
    pub articles: usize,
    pub text_bytes: u64,
    /// Vocabulary, most frequent first.
    pub common_words: Vec<String>,
    /// Actor ids, most mentioned first, with their names.
    pub common_actors: Vec<(String, String)>,
    /// (actor, holder, stance) of a real annotation, for same-annotation queries.
    pub stance_example: (String, String, String),
    /// Two adjacent words of a real passage.
    pub phrase: (String, String),
}

#[derive(Serialize)]
struct ActorOut {
    id: String,
    name: String,
    kind: &'static str,
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    camp: Option<&'static str>,
}

#[derive(Serialize)]
struct ActorsFile<'a> {
    actors: &'a [ActorOut],
}

#[derive(Serialize)]
struct ArticleOut {
    id: String,
    title: String,
    passages: Vec<PassageOut>,
}

#[derive(Serialize)]
struct SpanOut {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct PassageOut {
    id: String,
    ordinal: u32,
    span: SpanOut,
    actors: Vec<String>,
    topics: Vec<String>,
    stances: Vec<StanceOut>,
    events: Vec<EventOut>,
}

#[derive(Serialize)]
struct StanceOut {
    holder: String,
    stance: String,
    target: String,
    polarity: &'static str,
    quote: String,
    voice: &'static str,
}

#[derive(Serialize)]
struct EventOut {
    date: String,
    what: String,
    actors: Vec<String>,
}

fn ids_of(toml_text: &str, table: &str) -> Vec<String> {
    let value: toml::Value = toml::from_str(toml_text).expect("bundled registry parses");
    value[table]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Syllables without e and y, so that English stemmers leave most words alone.
fn synthetic_word(rng: &mut ChaCha8Rng) -> String {
    const ONSET: [&str; 16] = [
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "kh", "sh",
    ];
    const VOWEL: [&str; 4] = ["a", "o", "u", "i"];
    const CODA: [&str; 8] = ["", "n", "r", "m", "k", "d", "b", "z"];
    let syllables = rng.random_range(2..=3);
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(ONSET[rng.random_range(0..ONSET.len())]);
        w.push_str(VOWEL[rng.random_range(0..VOWEL.len())]);
    }
    w.push_str(CODA[rng.random_range(0..CODA.len())]);
    w
}

fn vocabulary(rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut words = Vec::with_capacity(VOCABULARY);
    for w in SEED_ARTICLE
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() > 1)
    {
        let w = w.to_lowercase();
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    while words.len() < VOCABULARY {
        let w = synthetic_word(rng);
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Transliteration-style variants of a name (Esmail → Ismail, -eh → -a).
fn variants(name: &str) -> Vec<String> {
    let mut out = vec![
        name.replace('i', "e"),
        name.replace('u', "ou"),
        format!("{name}h"),
        name.replacen('k', "kk", 1),
    ];
    out.retain(|v| v != name);
    out.dedup();
    out
}

fn actors(rng: &mut ChaCha8Rng) -> Vec<ActorOut> {
    let mut folds = HashSet::new();
    let mut surnames: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(ACTORS);
    while out.len() < ACTORS {
        let first = capitalize(&synthetic_word(rng));
        let last = capitalize(&synthetic_word(rng));
        let name = format!("{first} {last}");
        let forms: Vec<String> = std::iter::once(name.clone())
            .chain(variants(&name))
            .collect();
        let keys: HashSet<String> = forms.iter().map(|f| dossier::names::fold(f)).collect();
        if keys.iter().any(|k| folds.contains(k)) {
            continue;
        }
        folds.extend(keys);
        *surnames.entry(dossier::names::fold(&last)).or_default() += 1;
        let i = out.len();
        let kind = match i % 10 {
            0 => "organization",
            1 => "state",
            2 => "group",
            3 => "media",
            _ => "person",
        };
        let camp = match (kind, i % 7) {
            ("person", 0) => Some("hardliner"),
            ("person", 1) => Some("reformist"),
            ("person", 2) => Some("centrist"),
            _ => None,
        };
        out.push(ActorOut {
            id: format!("actor-{i:04}"),
            name,
            kind,
            aliases: forms[1..].to_vec(),
            camp,
        });
    }
    out
}

/// Writes a corpus of `passages` passages under `dir`.
pub fn generate(
    dir: &Path,
    passages: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Result<Manifest> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let words = vocabulary(&mut rng);
    let actors = actors(&mut rng);
    let stances = ids_of(STANCES, "stances");
    let topics = ids_of(TOPICS, "topics");
    std::fs::create_dir_all(dir.join("articles"))
        .with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("stances.toml"), STANCES)?;
    std::fs::write(dir.join("topics.toml"), TOPICS)?;
    std::fs::write(
        dir.join("actors.toml"),
        toml::to_string(&ActorsFile { actors: &actors })?,
    )?;

    let word_dist = Zipf::new(VOCABULARY as f64, 1.0)?;
    let actor_dist = Zipf::new(ACTORS as f64, 0.8)?;
    let mut manifest = Manifest {
        passages,
        articles: passages.div_ceil(PASSAGES_PER_ARTICLE),
        text_bytes: 0,
        common_words: words.iter().take(2000).cloned().collect(),
        common_actors: actors
            .iter()
            .take(50)
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        stance_example: Default::default(),
        phrase: Default::default(),
    };
    let mut written = 0;
    for article_no in 0..manifest.articles {
        let id = format!("a{article_no:07}");
        let mut text = String::new();
        let mut out = ArticleOut {
            id: id.clone(),
            title: format!("Generated article {article_no}"),
            passages: Vec::new(),
        };
        let count = PASSAGES_PER_ARTICLE.min(passages - written);
        for ordinal in 1..=count {
            let n_words = rng.random_range(40..=120);
            let mut tokens: Vec<String> = (0..n_words)
                .map(|_| words[word_dist.sample(&mut rng) as usize - 1].clone())
                .collect();
            let mut mentioned: Vec<usize> = Vec::new();
            for _ in 0..rng.random_range(1..=6) {
                let a = actor_dist.sample(&mut rng) as usize - 1;
                if !mentioned.contains(&a) {
                    mentioned.push(a);
                    let at = rng.random_range(0..tokens.len());
                    let actor = &actors[a];
                    let form = if actor.aliases.is_empty() || rng.random_bool(0.6) {
                        actor.name.clone()
                    } else {
                        actor.aliases[rng.random_range(0..actor.aliases.len())].clone()
                    };
                    tokens.insert(at, form);
                }
            }
            let body = format!("{}.", capitalize(&tokens.join(" ")));
            if !text.is_empty() {
                text.push('\n');
            }
            let start = text.len();
            text.push_str(&body);
            let end = text.len();
            let actor_ids: Vec<String> = mentioned.iter().map(|&a| actors[a].id.clone()).collect();
            let mut stances_out = Vec::new();
            for _ in 0..rng.random_range(0..=3) {
                let holder = actor_ids[rng.random_range(0..actor_ids.len())].clone();
                let target = if rng.random_bool(0.5) {
                    actor_ids[rng.random_range(0..actor_ids.len())].clone()
                } else {
                    topics[rng.random_range(0..topics.len())].clone()
                };
                let words_in: Vec<&str> = body.split(' ').collect();
                let from = rng.random_range(0..words_in.len().saturating_sub(4).max(1));
                let quote = words_in[from..(from + 4).min(words_in.len())].join(" ");
                stances_out.push(StanceOut {
                    holder,
                    stance: stances[rng.random_range(0..stances.len())].clone(),
                    target,
                    polarity: ["favor", "against", "neutral"][rng.random_range(0..3)],
                    quote,
                    voice: if rng.random_bool(0.3) {
                        "author"
                    } else {
                        "reported"
                    },
                });
            }
            let mut topic_ids: Vec<String> = Vec::new();
            for _ in 0..rng.random_range(1..=3) {
                let t = topics[rng.random_range(0..topics.len())].clone();
                if !topic_ids.contains(&t) {
                    topic_ids.push(t);
                }
            }
            let mut events = Vec::new();
            if rng.random_bool(0.45) {
                let year = rng.random_range(1980..=2024);
                let date = match rng.random_range(0..3) {
                    0 => format!("{year}"),
                    1 => format!("{year}-{:02}", rng.random_range(1..=12)),
                    _ => format!(
                        "{year}-{:02}-{:02}",
                        rng.random_range(1..=12),
                        rng.random_range(1..=28)
                    ),
                };
                events.push(EventOut {
                    date,
                    what: "A generated event".into(),
                    actors: vec![actor_ids[0].clone()],
                });
            }
            if manifest.stance_example.0.is_empty() && actor_ids.len() >= 2 {
                if let Some(s) = stances_out.first() {
                    let other = actor_ids
                        .iter()
                        .find(|a| **a != s.holder)
                        .cloned()
                        .unwrap_or_default();
                    manifest.stance_example = (other, s.holder.clone(), s.stance.clone());
                }
            }
            if manifest.phrase.0.is_empty() {
                let ws: Vec<&str> = body.split(' ').collect();
                if ws.len() > 12 {
                    manifest.phrase = (ws[10].to_lowercase(), ws[11].to_lowercase());
                }
            }
            out.passages.push(PassageOut {
                id: format!("{id}-{ordinal:02}"),
                ordinal: ordinal as u32,
                span: SpanOut { start, end },
                actors: actor_ids,
                topics: topic_ids,
                stances: stances_out,
                events,
            });
        }
        written += count;
        let adir = dir.join("articles").join(&id);
        std::fs::create_dir_all(&adir)?;
        std::fs::File::create(adir.join("text.txt"))?.write_all(text.as_bytes())?;
        std::fs::write(adir.join("article.toml"), toml::to_string(&out)?)?;
        manifest.text_bytes += text.len() as u64;
        progress(written);
    }
    std::fs::write(
        dir.join("bench-manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}
