//! The floor of a freshness check: a bare process that lists a corpus's
//! articles and stats both files of each, relative to the open `articles/`
//! directory and on every core, as `dossier` does before a query. It reads
//! no index and compares nothing, so no complete check that stats every
//! file can take less time than it does.
//!
//! Usage: statfloor CORPUS_DIR   (prints how many files it stated)

use rustix::fs::{AtFlags, Mode, OFlags};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, corpus] = args.as_slice() else {
        return Err("usage: statfloor CORPUS_DIR".into());
    };
    let articles = std::path::Path::new(corpus).join("articles");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&articles)? {
        ids.push(entry?.file_name().to_string_lossy().into_owned());
    }
    let dir = rustix::fs::open(
        &articles,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = ids.len().div_ceil(threads).max(1);
    let stated = std::thread::scope(|scope| {
        let workers: Vec<_> = ids
            .chunks(chunk)
            .map(|ids| {
                let dir = &dir;
                scope.spawn(move || {
                    let mut n = 0usize;
                    let mut path = String::new();
                    for id in ids {
                        for file in ["article.toml", "text.txt"] {
                            path.clear();
                            path.push_str(id);
                            path.push('/');
                            path.push_str(file);
                            let stat = rustix::fs::statat(dir, path.as_str(), AtFlags::empty());
                            n += usize::from(stat.is_ok());
                        }
                    }
                    n
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or(0))
            .sum::<usize>()
    });
    println!("{stated}");
    Ok(())
}
