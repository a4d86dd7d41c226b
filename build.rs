// The built-in corpus is compiled in with include_dir!, which cannot tell
// cargo about the files it reads; without this, editing corpus/ would leave a
// stale corpus inside the binary.
fn main() {
    println!("cargo:rerun-if-changed=corpus");
}
