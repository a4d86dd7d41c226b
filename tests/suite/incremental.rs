//! The guarantee of incremental updates, as a model-based test: after any
//! sequence of edits to a small generated corpus (articles added, changed,
//! touched or removed; actors, aliases and stances added; camps and display
//! names changed), the updated index answers a fixed set of queries exactly
//! as a fresh full build of the same corpus does.
//!
//! BM25 scores are left out of the comparison on purpose: a passage deleted
//! by an update still counts in tantivy's term statistics until a merge
//! drops it (as in Lucene), so scores, and with them score order, may differ
//! slightly. Every hit set, count, facet, timeline and name resolution must
//! be equal.

use dossier::{Corpus, FacetDim, Freshness, Index, Location, Query, Sort};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const WORDS: [&str; 8] = [
    "security",
    "reckoning",
    "revenge",
    "soil",
    "nuclear",
    "hijab",
    "failure",
    "war",
];
const CAMPS: [Option<&str>; 4] = [None, Some("hardliner"), Some("reformist"), Some("centrist")];

/// The corpus as the test means it to be.
#[derive(Debug, Clone)]
struct Model {
    /// Article number → version (a new version is a changed article).
    articles: BTreeMap<u32, u32>,
    names: Vec<String>,
    camps: Vec<Option<&'static str>>,
    aliases: Vec<Vec<String>>,
    extra_actors: u32,
    /// Extra stances, each with its parent's index in `stances()`.
    extra_stances: Vec<usize>,
    next_alias: u32,
}

#[derive(Debug, Clone)]
enum Edit {
    AddArticle(u32),
    ChangeArticle(u32),
    TouchArticle(u32),
    RemoveArticle(u32),
    AddActor,
    AddAlias(usize),
    ChangeCamp(usize, usize),
    RenameActor(usize),
    AddStance(usize),
}

const BASE_ACTORS: [&str; 4] = ["khatib", "mossad", "zakani", "rouhani"];

impl Model {
    fn new() -> Model {
        Model {
            articles: BTreeMap::from([(0, 0), (1, 0), (2, 0)]),
            names: vec![
                "Esmail Khatib".into(),
                "Mossad".into(),
                "Alireza Zakani".into(),
                "Hassan Rouhani".into(),
            ],
            camps: vec![Some("hardliner"), None, Some("hardliner"), Some("centrist")],
            aliases: vec![Vec::new(); 4],
            extra_actors: 0,
            extra_stances: Vec::new(),
            next_alias: 0,
        }
    }

    fn actor_ids(&self) -> Vec<String> {
        BASE_ACTORS
            .iter()
            .map(|a| a.to_string())
            .chain((0..self.extra_actors).map(|k| format!("extra-{k}")))
            .collect()
    }

    fn stances(&self) -> Vec<(String, Option<String>)> {
        let mut s = vec![
            ("condemns".to_string(), None),
            ("condemns-killing".to_string(), Some("condemns".to_string())),
            ("warns".to_string(), None),
        ];
        for (k, parent) in self.extra_stances.iter().enumerate() {
            let parent = s[parent % s.len()].0.clone();
            s.push((format!("extra-stance-{k}"), Some(parent)));
        }
        s
    }

    /// Applies an edit; returns the articles whose files must be rewritten
    /// (Some) or removed (None).
    fn apply(&mut self, edit: &Edit) -> Vec<(u32, bool)> {
        match *edit {
            Edit::AddArticle(n) if !self.articles.contains_key(&n) => {
                self.articles.insert(n, 0);
                vec![(n, true)]
            }
            Edit::ChangeArticle(n) => match self.articles.get_mut(&n) {
                Some(v) => {
                    *v += 1;
                    vec![(n, true)]
                }
                None => vec![],
            },
            Edit::TouchArticle(n) if self.articles.contains_key(&n) => vec![(n, true)],
            Edit::RemoveArticle(n) if self.articles.remove(&n).is_some() => vec![(n, false)],
            Edit::AddActor => {
                self.extra_actors += 1;
                vec![]
            }
            Edit::AddAlias(a) => {
                let a = a % self.names.len();
                self.aliases[a].push(format!("Aliasname{}", self.next_alias));
                self.next_alias += 1;
                vec![]
            }
            Edit::ChangeCamp(a, c) => {
                self.camps[a % self.names.len()] = CAMPS[c % CAMPS.len()];
                vec![]
            }
            Edit::RenameActor(a) => {
                let a = a % self.names.len();
                self.names[a] = format!("{} Renamed{}", self.names[a], self.next_alias);
                self.next_alias += 1;
                vec![]
            }
            Edit::AddStance(parent) => {
                self.extra_stances.push(parent);
                vec![]
            }
            _ => vec![],
        }
    }

    fn write_registries(&self, root: &Path) {
        let mut actors = String::new();
        for (i, id) in self.actor_ids().iter().enumerate() {
            let (name, camp, aliases) = if i < BASE_ACTORS.len() {
                (
                    self.names[i].clone(),
                    self.camps[i],
                    self.aliases[i].clone(),
                )
            } else {
                (format!("Extra Person {id}"), None, Vec::new())
            };
            actors.push_str(&format!(
                "[[actors]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"person\"\naliases = {aliases:?}\n"
            ));
            if let Some(c) = camp {
                actors.push_str(&format!("camp = \"{c}\"\n"));
            }
            actors.push('\n');
        }
        let mut stances = String::new();
        for (id, parent) in self.stances() {
            stances.push_str(&format!(
                "[[stances]]\nid = \"{id}\"\ndescription = \"{id}\"\n"
            ));
            if let Some(p) = parent {
                stances.push_str(&format!("parent = \"{p}\"\n"));
            }
        }
        let topics = "[[topics]]\nid = \"war\"\ndescription = \"War.\"\n[[topics]]\nid = \"peace\"\ndescription = \"Peace.\"\n";
        std::fs::write(root.join("actors.toml"), actors).unwrap();
        std::fs::write(root.join("stances.toml"), stances).unwrap();
        std::fs::write(root.join("topics.toml"), topics).unwrap();
    }

    /// Writes article `n` at its current version.
    fn write_article(&self, root: &Path, n: u32) {
        let v = self.articles[&n];
        let dir = root.join(format!("articles/a{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let actors = self.actor_ids();
        let stances = self.stances();
        let mut text = String::new();
        let mut toml = format!("id = \"a{n}\"\ntitle = \"Article {n} v{v}\"\n");
        for j in 0..(1 + (n + v) % 3) {
            let w = |k: u32| WORDS[((n * 7 + v * 3 + j * 5 + k) as usize) % WORDS.len()];
            let start = text.len();
            text.push_str(&format!("{} {} report {n} {v} {j}.", w(0), w(1)));
            let end = text.len();
            text.push('\n');
            let a1 = &actors[((n + j) as usize) % actors.len()];
            let a2 = &actors[((n + v + j + 1) as usize) % actors.len()];
            let listed: Vec<&String> = if a1 == a2 { vec![a1] } else { vec![a1, a2] };
            let (stance, _) = &stances[((n + v + j) as usize) % stances.len()];
            let target = if (n + j).is_multiple_of(2) {
                "war"
            } else {
                a2.as_str()
            };
            let polarity = ["favor", "against", "neutral"][((v + j) % 3) as usize];
            toml.push_str(&format!(
                "\n[[passages]]\nid = \"a{n}-{j}\"\nordinal = {}\nspan = {{ start = {start}, end = {end} }}\nactors = {listed:?}\ntopics = [\"{}\"]\n\n[[passages.stances]]\nholder = \"{a1}\"\nstance = \"{stance}\"\ntarget = \"{target}\"\npolarity = \"{polarity}\"\nquote = \"report\"\nvoice = \"reported\"\n\n[[passages.events]]\ndate = \"{}\"\nwhat = \"event {n} {j}\"\nactors = [\"{a1}\"]\n",
                j + 1,
                if v.is_multiple_of(2) { "war" } else { "peace" },
                2000 + (n + v + j) % 20,
            ));
        }
        std::fs::write(dir.join("text.txt"), text).unwrap();
        std::fs::write(dir.join("article.toml"), toml).unwrap();
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0u32..8).prop_map(Edit::AddArticle),
        3 => (0u32..8).prop_map(Edit::ChangeArticle),
        1 => (0u32..8).prop_map(Edit::TouchArticle),
        2 => (0u32..8).prop_map(Edit::RemoveArticle),
        1 => Just(Edit::AddActor),
        1 => (0usize..4).prop_map(Edit::AddAlias),
        2 => (0usize..4, 0usize..4).prop_map(|(a, c)| Edit::ChangeCamp(a, c)),
        2 => (0usize..4).prop_map(Edit::RenameActor),
        1 => (0usize..8).prop_map(Edit::AddStance),
    ]
}

/// Everything the comparison looks at, as JSON (scores removed).
fn answers(index: &Index, model: &Model) -> serde_json::Value {
    let mut queries = vec![
        Query::all(),
        Query::text("report"),
        Query::text("security OR -war"),
        Query::all().topic("war"),
        Query::all().since("2005").until("2012"),
        Query::all().polarity("against"),
        Query::all().target("war"),
    ];
    for id in model.actor_ids() {
        queries.push(Query::all().actor(id.clone()));
        queries.push(Query::all().holder(id));
    }
    for (id, _) in model.stances() {
        queries.push(Query::all().stance(id));
    }
    for camp in ["hardliner", "reformist", "centrist"] {
        queries.push(Query::all().camp(camp));
    }
    let mut out = Vec::new();
    for q in queries {
        let r = index
            .search(&q.clone().sort(Sort::Position).limit(1000))
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        let mut v = serde_json::to_value(&r).unwrap();
        for hit in v["hits"].as_array_mut().unwrap() {
            hit["score"] = serde_json::Value::Null;
            hit["snippet"] = serde_json::Value::Null;
        }
        out.push(v);
    }
    for dims in [
        vec![FacetDim::Actor],
        vec![FacetDim::Stance],
        vec![FacetDim::Holder],
        vec![FacetDim::Topic],
        vec![FacetDim::Camp],
        vec![FacetDim::Holder, FacetDim::Stance],
    ] {
        out.push(serde_json::to_value(index.facets(&Query::all(), &dims).unwrap()).unwrap());
    }
    out.push(serde_json::to_value(index.timeline(&Query::all()).unwrap()).unwrap());
    out.push(serde_json::to_value(index.stances().unwrap()).unwrap());
    out.push(serde_json::to_value(index.actors().unwrap()).unwrap());
    let resolver = index.resolver().unwrap();
    for names in model.aliases.iter().chain(std::iter::once(&model.names)) {
        for n in names {
            out.push(serde_json::to_value(resolver.resolve(n)).unwrap());
        }
    }
    out.push(serde_json::json!(index.stats()));
    serde_json::Value::Array(out)
}

fn check_equivalence(edits: &[Edit]) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    std::fs::create_dir_all(root.join("articles")).unwrap();
    let mut model = Model::new();
    model.write_registries(&root);
    for n in model.articles.keys() {
        model.write_article(&root, *n);
    }
    let live = tmp.path().join("live");
    Index::open_or_build(&Corpus::load(&root).unwrap(), Location::Dir(live.clone())).unwrap();
    for (step, e) in edits.iter().enumerate() {
        for (n, keep) in model.apply(e) {
            if keep {
                model.write_article(&root, n);
            } else {
                std::fs::remove_dir_all(root.join(format!("articles/a{n}"))).unwrap();
            }
        }
        // A registry rewrite with the same content is only a touch.
        model.write_registries(&root);
        let corpus = Corpus::load(&root).unwrap();
        let updated = Index::open_or_build(&corpus, Location::Dir(live.clone())).unwrap();
        assert!(
            !matches!(updated.freshness(), Freshness::StaleReadOnly(_)),
            "{:?}",
            updated.freshness()
        );
        let fresh_dir = tempfile::tempdir().unwrap();
        let fresh = Index::open_or_build(&corpus, Location::Dir(fresh_dir.path().into())).unwrap();
        assert_eq!(
            answers(&updated, &model),
            answers(&fresh, &model),
            "after edit {step} ({e:?}) of {edits:?}; the update was {:?}",
            updated.freshness()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn an_updated_index_answers_as_a_fresh_build(edits in prop::collection::vec(edit(), 1..8)) {
        check_equivalence(&edits);
    }
}

/// Each kind of edit takes the cheap path it should: articles are updated,
/// registry additions re-index nothing, and a camp change re-indexes only
/// the articles that mention the actor.
#[test]
fn each_edit_does_only_the_work_it_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    std::fs::create_dir_all(root.join("articles")).unwrap();
    let mut model = Model::new();
    model.write_registries(&root);
    for n in [0, 1, 2] {
        model.write_article(&root, n);
    }
    let live = Location::Dir(tmp.path().join("live"));
    let open = || Index::open_or_build(&Corpus::load(&root).unwrap(), live.clone()).unwrap();
    assert!(matches!(open().freshness(), Freshness::Built(_)));
    let summary = |edit: Edit, model: &mut Model| {
        for (n, keep) in model.apply(&edit) {
            if keep {
                model.write_article(&root, n);
            } else {
                std::fs::remove_dir_all(root.join(format!("articles/a{n}"))).unwrap();
            }
        }
        model.write_registries(&root);
        match open().freshness().clone() {
            Freshness::Updated(s) => s,
            other => panic!("{edit:?}: {other:?}"),
        }
    };
    let s = summary(Edit::AddArticle(5), &mut model);
    assert_eq!(
        (s.added, s.changed, s.removed, s.registries),
        (1, 0, 0, false)
    );
    let s = summary(Edit::ChangeArticle(0), &mut model);
    assert_eq!((s.added, s.changed, s.removed), (0, 1, 0));
    let s = summary(Edit::RemoveArticle(1), &mut model);
    assert_eq!((s.added, s.changed, s.removed), (0, 0, 1));
    for e in [Edit::AddActor, Edit::AddAlias(0), Edit::AddStance(0)] {
        let s = summary(e.clone(), &mut model);
        assert_eq!((s.registries, s.reindexed_for_registry), (true, 0), "{e:?}");
    }
    // Touching an article (same content) is not a change.
    model.apply(&Edit::TouchArticle(0));
    model.write_article(&root, 0);
    assert_eq!(open().freshness(), &Freshness::Reused);
}

/// A camp change re-indexes exactly the articles that mention the actor;
/// when that is most of the corpus, a full build is cheaper and is done.
#[test]
fn a_camp_change_re_indexes_only_the_articles_that_mention_the_actor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    crate::util::copy_tree(&crate::util::corpus_dir(), &root);
    // Three one-passage articles that mention Mossad, and not Rouhani.
    for n in 1..=3 {
        let dir = root.join(format!("articles/x{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("text.txt"), "Mossad was busy.").unwrap();
        std::fs::write(
            dir.join("article.toml"),
            format!("id = \"x{n}\"\ntitle = \"X\"\n\n[[passages]]\nid = \"x{n}-01\"\nordinal = 1\nspan = {{ start = 0, end = 16 }}\nactors = [\"mossad\"]\n"),
        )
        .unwrap();
    }
    let live = Location::Dir(tmp.path().join("live"));
    let open = || Index::open_or_build(&Corpus::load(&root).unwrap(), live.clone()).unwrap();
    assert!(matches!(open().freshness(), Freshness::Built(_)));
    let actors = root.join("actors.toml");
    let registry = std::fs::read_to_string(&actors).unwrap();
    // Rouhani is listed only by passage 17 of iran-intel: one article of four.
    let edited = registry.replacen(
        "camp = \"centrist\"\ndescription = \"Former centrist",
        "camp = \"reformist\"\ndescription = \"Former centrist",
        1,
    );
    assert_ne!(edited, registry);
    std::fs::write(&actors, edited).unwrap();
    let index = open();
    match index.freshness() {
        Freshness::Updated(s) => assert_eq!(
            (
                s.registries,
                s.reindexed_for_registry,
                s.added + s.changed + s.removed
            ),
            (true, 1, 0)
        ),
        other => panic!("{other:?}"),
    }
    let reformists: Vec<String> = index
        .search(&Query::all().camp("reformist").limit(100))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.passage)
        .collect();
    assert!(
        reformists.contains(&"iran-intel-17".to_string()),
        "{reformists:?}"
    );
    drop(index);
    // Mossad is in all four articles: renaming it is a full build.
    let registry = std::fs::read_to_string(&actors).unwrap();
    std::fs::write(
        &actors,
        registry.replacen("name = \"Mossad\"", "name = \"The Mossad\"", 1),
    )
    .unwrap();
    match open().freshness() {
        Freshness::Built(reason) => assert!(reason.contains("most of the corpus"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// An update deletes an article's old passages where they were first
/// indexed. The log merge policy merges segments of like size, so deletes
/// would pile up in the first build's segments for good, and every query
/// would step over them. A segment past a tenth of deleted passages is
/// rewritten instead.
#[test]
fn deleted_passages_do_not_pile_up_in_a_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    crate::util::big_corpus(&root, 99);
    let live = Location::Dir(tmp.path().join("live"));
    let open = || Index::open_or_build(&Corpus::load(&root).unwrap(), live.clone()).unwrap();
    let first = open();
    assert_eq!(first.stats().passages, 2000);
    drop(first);
    // A fifth of the articles change: 400 of 2000 passages are replaced.
    for n in (0..99).step_by(5) {
        let file = root.join(format!("articles/copy-{n:04}/article.toml"));
        let toml = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, toml.replacen("title = \"", "title = \"Edited: ", 1)).unwrap();
    }
    let index = open();
    match index.freshness() {
        Freshness::Updated(s) => assert_eq!(s.changed, 20),
        other => panic!("{other:?}"),
    }
    assert_eq!(index.stats().passages, 2000);
    let segments = tantivy::Index::open_in_dir(index.path())
        .unwrap()
        .searchable_segment_metas()
        .unwrap();
    let deleted: u32 = segments.iter().map(|s| s.num_deleted_docs()).sum();
    let live_docs: u32 = segments.iter().map(|s| s.num_docs()).sum();
    assert_eq!(live_docs, 2000);
    for s in &segments {
        assert!(
            f64::from(s.num_deleted_docs()) <= 0.1 * f64::from(s.max_doc()),
            "{} of {} deleted ({deleted} in all)",
            s.num_deleted_docs(),
            s.max_doc()
        );
    }
    assert_eq!(index.search(&Query::text("revenge")).unwrap().total, 100);
}
