//! Reading a pack's files, from the binary or from a directory.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::Dir;

use super::{PackError, Problem};

/// The text files of a pack by relative path (`flows/refund.toml`), `/`-separated:
/// its `.toml` files and, at the top, its model files.
pub(crate) type Files = BTreeMap<String, String>;

/// How the name of a model file (`pack.toml`'s `model`) ends.
pub(crate) const MODEL_EXTENSION: &str = ".model";

/// Whether a file of the pack is read: TOML anywhere, models at the top.
fn wanted(name: &str) -> bool {
    name.ends_with(".toml") || (!name.contains('/') && name.ends_with(MODEL_EXTENSION))
}

/// The files of an embedded directory.
pub(crate) fn from_embedded(dir: &Dir<'_>) -> Result<Files, PackError> {
    let mut files = Files::new();
    collect_embedded(dir, &mut files)?;
    Ok(files)
}

fn collect_embedded(dir: &Dir<'_>, files: &mut Files) -> Result<(), PackError> {
    for file in dir.files() {
        let name = file.path().to_string_lossy().replace('\\', "/");
        if !wanted(&name) {
            continue;
        }
        let text = file.contents_utf8().ok_or_else(|| {
            PackError::Problems(vec![Problem::new(&name, None, "not UTF-8 text")])
        })?;
        files.insert(name, text.to_string());
    }
    for sub in dir.dirs() {
        collect_embedded(sub, files)?;
    }
    Ok(())
}

/// The `.toml` files under `root` (two levels: the pack and its folders).
pub(crate) fn from_dir(root: &Path) -> Result<Files, PackError> {
    let mut files = Files::new();
    collect_dir(root, "", &mut files)?;
    Ok(files)
}

fn collect_dir(dir: &Path, prefix: &str, files: &mut Files) -> Result<(), PackError> {
    let read_err = |cause| PackError::Read {
        file: if prefix.is_empty() {
            dir.display().to_string()
        } else {
            prefix.trim_end_matches('/').to_string()
        },
        cause,
    };
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            if prefix.is_empty() {
                collect_dir(&path, &format!("{name}/"), files)?;
            }
        } else if wanted(&name) {
            let bytes = std::fs::read(&path).map_err(|cause| PackError::Read {
                file: name.clone(),
                cause,
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                PackError::Problems(vec![Problem::new(&name, None, "not UTF-8 text")])
            })?;
            files.insert(name, text);
        }
    }
    Ok(())
}
