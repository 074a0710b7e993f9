//! Output of panels and text files: wide CSV writers and an atomic file
//! writer, so that no reader ever sees a partial file.

use std::path::Path;

use super::Panel;
use crate::error::{Error, Result};

impl Panel {
    /// The panel as a wide CSV (`id` then one column per age; empty cells are
    /// unobserved), the layout [`Panel::from_csv_path`] reads back.
    ///
    /// ```
    /// use gbtm::Panel;
    /// let p = Panel::from_wide_csv_str("id,12,13\na,1,\n", "x.csv").unwrap();
    /// assert_eq!(p.to_wide_csv(), "id,12,13\na,1,\n");
    /// ```
    pub fn to_wide_csv(&self) -> String {
        self.wide_csv(|i, t| self.observed[[i, t]].then(|| self.counts[[i, t]].to_string()))
    }

    /// The exposure as a wide CSV in the same layout (`None` without exposure).
    ///
    /// ```
    /// use gbtm::Panel;
    /// use ndarray::array;
    /// let counts = array![[1.0, f64::NAN], [0.0, 2.0]];
    /// let exposure = array![[0.5, 1.0], [1.0, 0.25]];
    /// let p = Panel::from_arrays(counts.view(), &[12, 13], Some(exposure.view()))?;
    /// assert_eq!(p.exposure_to_wide_csv().unwrap(), "id,12,13\n1,0.5,\n2,1,0.25\n");
    /// assert!(Panel::from_arrays(counts.view(), &[12, 13], None)?.exposure_to_wide_csv().is_none());
    /// # Ok::<(), gbtm::Error>(())
    /// ```
    pub fn exposure_to_wide_csv(&self) -> Option<String> {
        let e = self.exposure.as_ref()?;
        Some(self.wide_csv(|i, t| self.observed[[i, t]].then(|| e[[i, t]].to_string())))
    }

    fn wide_csv(&self, cell: impl Fn(usize, usize) -> Option<String>) -> String {
        let mut s = String::from("id");
        for a in &self.ages {
            s.push_str(&format!(",{a}"));
        }
        s.push('\n');
        for (i, id) in self.ids.iter().enumerate() {
            s.push_str(id);
            for t in 0..self.ages.len() {
                s.push(',');
                if let Some(v) = cell(i, t) {
                    s.push_str(&v);
                }
            }
            s.push('\n');
        }
        s
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, then a rename, so a reader never sees a partial file.
///
/// ```
/// let dir = std::env::temp_dir().join("gbtm-doc-atomic");
/// std::fs::create_dir_all(&dir).unwrap();
/// gbtm::data::write::write_atomic(&dir.join("a.txt"), "hello").unwrap();
/// assert_eq!(std::fs::read_to_string(dir.join("a.txt")).unwrap(), "hello");
/// ```
///
/// # Errors
/// [`Error::Io`] naming `path`; the file is then as it was before.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    write_all_atomic(&[(path, contents)])
}

/// Writes several files all or nothing: every file goes to a temporary
/// file beside it first; only when all of them are written are they
/// renamed into place, each rename atomic. If one cannot be written, every
/// temporary file is removed and no destination is touched. If a rename
/// fails part-way (rare: all stay within their folders), the destinations
/// already replaced are put back from hard links kept until the end, and
/// new ones removed (a destination on a file system without hard links
/// stays replaced).
///
/// ```
/// use gbtm::data::write::write_all_atomic;
/// let dir = std::env::temp_dir().join("gbtm-doc-all-atomic");
/// std::fs::create_dir_all(&dir).unwrap();
/// let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
/// write_all_atomic(&[(&a, "1"), (&b, "2")]).unwrap();
/// // The second destination cannot be written: the first is not replaced.
/// let bad = dir.join("no-such-folder/c.csv");
/// assert!(write_all_atomic(&[(&a, "new"), (&bad, "3")]).is_err());
/// assert_eq!(std::fs::read_to_string(&a).unwrap(), "1");
/// // No temporary file is left behind.
/// let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
/// assert_eq!(names.len(), 2, "{names:?}");
/// ```
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_all_atomic(files: &[(&Path, &str)]) -> Result<()> {
    let io = |path: &Path, source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut staged = Vec::with_capacity(files.len());
    let unstage = |staged: &[std::path::PathBuf]| {
        for tmp in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (i, &(path, contents)) in files.iter().enumerate() {
        if let Err(e) = not_special(path) {
            unstage(&staged);
            return Err(e);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        // Numbered, so that two spellings of one path never share a
        // temporary file.
        let tmp = path.with_file_name(format!(".{name}.tmp{}-{i}", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, contents) {
            let _ = std::fs::remove_file(&tmp);
            unstage(&staged);
            return Err(io(path, e));
        }
        staged.push(tmp);
    }
    // Each existing destination keeps a second name (a hard link) until
    // all renames are done, so that a rename failing part-way can put the
    // earlier destinations back. Every replacement stays one atomic
    // rename; where links are not supported, there is no undo.
    let existed: Vec<bool> = files.iter().map(|(path, _)| path.is_file()).collect();
    let backups: Vec<Option<std::path::PathBuf>> = files
        .iter()
        .zip(&staged)
        .zip(&existed)
        .map(|((&(path, _), tmp), &existed)| {
            let mut b = tmp.clone().into_os_string();
            b.push(".keep");
            let b = std::path::PathBuf::from(b);
            (existed && std::fs::hard_link(path, &b).is_ok()).then_some(b)
        })
        .collect();
    let mut result = Ok(());
    for (i, (&(path, _), tmp)) in files.iter().zip(&staged).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (j, &(p, _)) in files[..i].iter().enumerate() {
                match (&backups[j], existed[j]) {
                    (Some(b), _) => {
                        let _ = std::fs::rename(b, p);
                    }
                    // New before: remove it again.
                    (None, false) => {
                        let _ = std::fs::remove_file(p);
                    }
                    // Replaced without a link to undo it: left as written.
                    (None, true) => {}
                }
            }
            unstage(&staged[i..]);
            result = Err(io(path, e));
            break;
        }
    }
    for b in backups.iter().flatten() {
        let _ = std::fs::remove_file(b);
    }
    result
}

/// Checks, before any work is done, that `path` can be written as an output
/// and is none of `inputs` (after resolving links and relative paths): its
/// folder exists and takes a new file, and it is not a folder itself.
///
/// ```
/// use gbtm::data::write::check_output;
/// let dir = std::env::temp_dir();
/// let input = dir.join(format!("gbtm-doc-in-{}.csv", std::process::id()));
/// std::fs::write(&input, "id,12\n").unwrap();
/// assert!(check_output(&dir.join("gbtm-doc-out.json"), &[input.as_path()]).is_ok());
/// assert!(check_output(&input, &[input.as_path()]).is_err());
/// assert!(check_output(&dir.join("no-such-folder/out.json"), &[]).is_err());
/// # std::fs::remove_file(&input).ok();
/// ```
///
/// # Errors
/// [`Error::Io`] naming `path` when it cannot be written, and
/// [`Error::InvalidParameter`] when it names an input.
pub fn check_output(path: &Path, inputs: &[&Path]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    not_special(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(io(std::io::Error::other(if dir.exists() {
            format!("{} is a file, not a folder", dir.display())
        } else {
            format!("the folder {} does not exist", dir.display())
        })));
    }
    let real_dir = dir.canonicalize().map_err(io)?;
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("names no file")))?;
    let resolved = resolve(path).unwrap_or_else(|| real_dir.join(name));
    for input in inputs {
        if input.canonicalize().is_ok_and(|i| i == resolved) {
            return Err(Error::param(
                "output",
                format!(
                    "{} is also an input; choose another output file",
                    path.display()
                ),
            ));
        }
    }
    let probe = real_dir.join(format!(
        ".{}.probe{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&probe, "").map_err(io)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The absolute path `path` names, links resolved, also for a file that does
/// not exist yet (its folder resolved, then its name): two spellings of one
/// file resolve alike. `None` if its folder cannot be resolved.
///
/// ```
/// use gbtm::data::write::resolve;
/// let dir = std::env::temp_dir();
/// assert_eq!(resolve(&dir.join("new.csv")), resolve(&dir.join(".").join("new.csv")));
/// ```
pub fn resolve(path: &Path) -> Option<std::path::PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(path.file_name()?))
}

/// An existing output must be a regular file: a rename would replace a
/// folder, a device (`/dev/full`) or a pipe.
fn not_special(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(Error::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(if m.is_dir() {
                "is a folder, not a file"
            } else {
                "is not a regular file (a device or a pipe); give a file name"
            }),
        }),
        _ => Ok(()),
    }
}
