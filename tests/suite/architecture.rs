//! The shape of the source tree (docs/architecture.md): data flow one way,
//! data → model → em → fit → {diagnostics and report, predict, select,
//! plot} → CLI, with no import cycle among the files and no file over 500
//! lines.
//!
//! Every `use crate::…` and `use super::…` path (and the inline
//! `crate::a::b` paths) of every file under src/ is resolved to the file
//! that defines the module it names. The crate roots (lib.rs, main.rs)
//! only declare and re-export, and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each top-level module: a file may import only from a
/// lower layer, or from its own module (without cycles).
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("data", 1),
    ("design", 2),
    ("model", 3),
    ("synth", 4),
    ("em", 4),
    ("fit", 5),
    ("diagnostics", 6),
    ("report", 7),
    ("predict", 7),
    ("plot", 7),
    ("wald", 7),
    ("select", 8),
    ("study", 9),
    ("publish", 9),
    ("cli", 10),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: src/em/run.rs → ["em", "run"];
/// src/em/mod.rs → ["em"].
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix("src").unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// Expands `a::{b, c::{d, e}}` into full paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = format!("{prefix}{}", &tree[..open]);
        let inner = &tree[open + 1..tree.rfind('}').unwrap()];
        let mut depth = 0;
        let mut start = 0;
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&head, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&head, &inner[start..], out);
    } else if !tree.is_empty() {
        out.push(format!("{prefix}{tree}"));
    }
}

/// Every module path a file imports, as segments from the crate root.
fn imports(file: &Path, text: &str) -> Vec<Vec<String>> {
    let here = module_of(file);
    // `super` of a mod.rs file is its parent module; of a leaf file, the
    // module of its folder.
    let parent: Vec<String> = here[..here.len().saturating_sub(1)].to_vec();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    for stmt in code.split(';') {
        let s = stmt.trim();
        let s = s.strip_prefix("pub ").unwrap_or(s);
        let s = s.strip_prefix("pub(crate) ").unwrap_or(s);
        if let Some(rest) = s.strip_prefix("use ") {
            expand("", rest, &mut paths);
        }
    }
    // Inline paths such as `crate::predict::PersonStatus::Classified`.
    for (i, _) in code.match_indices("crate::") {
        let tail: String = code[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(tail);
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let segs: Vec<String> = p.split("::").map(|s| s.trim().to_string()).collect();
            match segs.first().map(String::as_str) {
                Some("crate") => Some(segs[1..].to_vec()),
                Some("super") => {
                    let mut base = parent.clone();
                    let mut rest = &segs[..];
                    while rest.first().is_some_and(|s| s == "super") {
                        rest = &rest[1..];
                        if rest.first().is_some_and(|s| s == "super") {
                            base.pop();
                        }
                    }
                    base.extend(rest.iter().cloned());
                    Some(base)
                }
                _ => None,
            }
        })
        .collect()
}

/// The longest prefix of `path` that is a module with a file.
fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n].to_vec()).cloned())
}

fn layer(file: &Path) -> Option<u32> {
    let top = module_of(file).first().cloned()?;
    LAYERS.iter().find(|(m, _)| *m == top).map(|(_, l)| *l)
}

#[test]
fn imports_flow_one_way_without_cycles() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.retain(|f| !f.ends_with("lib.rs") && !f.ends_with("main.rs"));
    let modules: BTreeMap<Vec<String>, PathBuf> =
        files.iter().map(|f| (module_of(f), f.clone())).collect();
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    let mut upward = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let targets = edges.entry(f.clone()).or_default();
        for path in imports(f, &text) {
            let Some(target) = resolve(&path, &modules) else {
                continue;
            };
            if &target == f || target.ends_with("tests.rs") {
                continue;
            }
            if let (Some(a), Some(b)) = (layer(f), layer(&target)) {
                let same = module_of(f)[0] == module_of(&target)[0];
                if !same && b >= a {
                    upward.push(format!("{} imports {}", f.display(), target.display()));
                }
            }
            targets.insert(target);
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the data flow:\n{}",
        upward.join("\n")
    );
    // Depth-first search for a cycle.
    fn visit(
        f: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<PathBuf, u8>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        match state.get(f) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| s == f).unwrap_or(0);
                return Some(stack[at..].to_vec());
            }
            _ => {}
        }
        state.insert(f.clone(), 1);
        stack.push(f.clone());
        for g in edges.get(f).into_iter().flatten() {
            if let Some(c) = visit(g, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(f.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for f in edges.keys() {
        let cycle = visit(f, &edges, &mut state, &mut Vec::new());
        assert!(cycle.is_none(), "import cycle: {cycle:?}");
    }
    // The check sees real imports.
    let fit_mod = PathBuf::from("src/fit/mod.rs");
    assert!(edges[&fit_mod].contains(&PathBuf::from("src/em/multistart.rs")));
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 500).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "{long:?}");
}
