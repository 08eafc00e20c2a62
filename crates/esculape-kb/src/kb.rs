//! The knowledge base: installing, updating and removing packs atomically, and reading
//! passages back with their provenance.

use crate::analyzer::{ENGLISH_ANALYZER, FRENCH_ANALYZER, analyzer};
use crate::catalog::{
    CATALOG_FORMAT, CHANGE_SAMPLE, Catalog, ChangeRecord, InstalledPack, compare_documents,
    parse_document_list, write_document_list,
};
use crate::chunk::chunk_document;
use crate::document::{Document, Finding, Severity};
use crate::error::{Error, Result, io_error};
use crate::fetch::{FetchOptions, Fetched, fetch, hex};
use crate::ivf::AnnSettings;
use crate::pack::{Origin, PackSpec};
use crate::parse::{PackFacts, ParseLimits, Sink, parse_pack};
use crate::schema::{Fields, SPANISH_ANALYZER, date_number, doc_id, schema};
use crate::vectors::VectorSet;
use esculape_text::Language;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever parsing or chunking changes what an index holds: packs built by an
/// older build are reindexed by the next update even if their files did not change.
pub const BUILD: u32 = 1;

/// Settings of the knowledge base (section `[kb]` of the configuration).
#[derive(Debug, Clone)]
pub struct KbConfig {
    /// Folder holding the index, the packs' files and the change log.
    pub root: PathBuf,
    /// Longest chunk, in characters.
    pub chunk_max_chars: usize,
    /// Memory for the index writer, in MiB.
    pub writer_memory_mb: usize,
    /// Indexing threads.
    pub writer_threads: usize,
    pub limits: ParseLimits,
    /// When vector sets get an approximate nearest-neighbour index, and how it is read.
    pub ann: AnnSettings,
}

impl KbConfig {
    /// Defaults for a knowledge base stored under `root`.
    pub fn at(root: impl Into<PathBuf>) -> KbConfig {
        KbConfig {
            root: root.into(),
            chunk_max_chars: 1000,
            writer_memory_mb: 256,
            writer_threads: 2,
            limits: ParseLimits::default(),
            ann: AnnSettings::default(),
        }
    }
}

/// Receives progress of long operations; the command line draws bars with it.
pub trait Progress: Sync {
    /// A new stage starts (`fetching`, `indexing`…), with a known total when there is one.
    fn stage(&self, pack: &str, stage: &str, total: Option<u64>);
    /// `count` more units of the current stage are done.
    fn advance(&self, count: u64);
    /// The current stage is over.
    fn finish(&self);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _: &str, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What installing or updating a pack did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstallReport {
    pub pack: String,
    pub outcome: InstallOutcome,
    pub findings: Vec<Finding>,
    pub duration_ms: u128,
}

/// Whether an install changed anything.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum InstallOutcome {
    /// A new version is serving.
    Installed {
        version: String,
        documents: usize,
        chunks: usize,
        change: Box<ChangeRecord>,
    },
    /// The files did not change since the installed version.
    UpToDate { version: String },
}

/// The knowledge base: an index of passages and the packs they come from.
pub struct KnowledgeBase {
    config: KbConfig,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    catalog: RwLock<Arc<Catalog>>,
    vectors: RwLock<HashMap<String, Arc<VectorSet>>>,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("KnowledgeBase")
            .field("root", &self.config.root)
            .finish_non_exhaustive()
    }
}

impl KnowledgeBase {
    /// Opens the knowledge base under `config.root`, creating an empty one if needed.
    pub fn open(config: KbConfig) -> Result<KnowledgeBase> {
        let index_path = config.root.join("index");
        std::fs::create_dir_all(&index_path).map_err(io_error("create", &index_path))?;
        let (schema, fields) = schema();
        let corrupt = |reason: String| Error::CorruptIndex {
            path: index_path.clone(),
            reason,
        };
        let directory =
            MmapDirectory::open(&index_path).map_err(|error| corrupt(error.to_string()))?;
        let index =
            Index::open_or_create(directory, schema).map_err(|error| corrupt(error.to_string()))?;
        index
            .tokenizers()
            .register(FRENCH_ANALYZER, analyzer(Language::French));
        index
            .tokenizers()
            .register(ENGLISH_ANALYZER, analyzer(Language::English));
        index
            .tokenizers()
            .register(SPANISH_ANALYZER, analyzer(Language::Spanish));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let catalog = read_catalog(&index).map_err(|error| corrupt(error.to_string()))?;
        let kb = KnowledgeBase {
            config,
            index,
            reader,
            fields,
            catalog: RwLock::new(Arc::new(catalog)),
            vectors: RwLock::default(),
        };
        kb.sync_change_log()?;
        Ok(kb)
    }

    /// The installed packs, as of the last reload.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .map(|catalog| catalog.clone())
            .unwrap_or_default()
    }

    /// Picks up changes committed by another process.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        let catalog = read_catalog(&self.index)?;
        if let Ok(mut current) = self.catalog.write() {
            *current = Arc::new(catalog);
        }
        Ok(())
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The root folder of this knowledge base.
    pub(crate) fn config(&self) -> &KbConfig {
        &self.config
    }

    pub fn root(&self) -> &Path {
        &self.config.root
    }

    /// Folder holding the files of an installed pack (the BDPM tables, the thesaurus JSON…),
    /// for engines that load structured data.
    pub fn pack_folder(&self, pack: &str) -> Result<PathBuf> {
        let catalog = self.catalog();
        let installed = catalog
            .packs
            .get(pack)
            .ok_or_else(|| Error::NotInstalled(pack.to_string()))?;
        Ok(self.config.root.join(&installed.storage))
    }

    /// All recorded changes, oldest first.
    pub fn changes(&self) -> Result<Vec<ChangeRecord>> {
        let path = self.config.root.join("changes.jsonl");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error("read", &path)(error)),
        };
        Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect())
    }

    /// Installs `spec`, or updates it if installed: fetch, compare checksums, parse, chunk
    /// and index into one commit. Until that commit, searches see the previous version; if
    /// the process dies before it, the previous version stays and the next run cleans up.
    pub fn install(
        &self,
        spec: &PackSpec,
        options: &FetchOptions,
        progress: &dyn Progress,
    ) -> Result<InstallReport> {
        let started = Instant::now();
        let mut writer = self.writer()?;
        self.remove_orphans()?;
        let previous = self.catalog().packs.get(&spec.id).cloned();

        progress.stage(&spec.id, "fetching", None);
        let staging = self.new_staging(&spec.id)?;
        let fetched = match fetch(spec, options, &staging) {
            Ok(fetched) => fetched,
            Err(error) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(error);
            }
        };
        progress.finish();
        if let Some(previous) = &previous
            && previous.checksum == fetched.checksum
            && previous.build == BUILD
        {
            let _ = std::fs::remove_dir_all(&staging);
            return Ok(InstallReport {
                pack: spec.id.clone(),
                outcome: InstallOutcome::UpToDate {
                    version: previous.version.clone(),
                },
                findings: Vec::new(),
                duration_ms: started.elapsed().as_millis(),
            });
        }

        let folder = fetched.folder.clone();
        let limits = self.config.limits.clone();
        let parse = |sink: &mut Sink<'_>, findings: &mut Vec<Finding>| {
            parse_pack(spec, &folder, &limits, sink, findings)
        };
        self.index_version(
            &mut writer,
            spec,
            previous,
            fetched,
            staging,
            parse,
            progress,
            started,
        )
    }

    /// Installs documents made by the caller (an evaluation corpus, a benchmark) as the pack
    /// `spec`, with the same chunking, indexing and atomic commit as [`KnowledgeBase::install`].
    pub fn install_documents(
        &self,
        spec: &PackSpec,
        documents: impl IntoIterator<Item = Document>,
        progress: &dyn Progress,
    ) -> Result<InstallReport> {
        let started = Instant::now();
        let mut writer = self.writer()?;
        self.remove_orphans()?;
        let previous = self.catalog().packs.get(&spec.id).cloned();
        let staging = self.new_staging(&spec.id)?;
        let fetched = Fetched {
            folder: staging.clone(),
            files: Vec::new(),
            origin: "generated".into(),
            version_hint: None,
            published_hint: None,
            checksum: hex(&Sha256::digest(crate::time::unix_nanos().to_le_bytes())),
        };
        let mut documents = documents.into_iter();
        let parse = |sink: &mut Sink<'_>, _: &mut Vec<Finding>| {
            for document in documents.by_ref() {
                sink(document)?;
            }
            Ok(PackFacts::default())
        };
        self.index_version(
            &mut writer,
            spec,
            previous,
            fetched,
            staging,
            parse,
            progress,
            started,
        )
    }

    /// An empty staging folder for a pack, private to this process.
    fn new_staging(&self, pack: &str) -> Result<PathBuf> {
        let staging = self
            .config
            .root
            .join("staging")
            .join(format!("{pack}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(io_error("create", &staging))?;
        Ok(staging)
    }

    #[allow(clippy::too_many_arguments)]
    fn index_version(
        &self,
        writer: &mut IndexWriter,
        spec: &PackSpec,
        previous: Option<InstalledPack>,
        fetched: Fetched,
        staging: PathBuf,
        mut parse: impl FnMut(&mut Sink<'_>, &mut Vec<Finding>) -> Result<PackFacts>,
        progress: &dyn Progress,
        started: Instant,
    ) -> Result<InstallReport> {
        progress.stage(&spec.id, "indexing", None);
        writer.delete_term(Term::from_field_text(self.fields.pack, &spec.id));
        let mut findings = Vec::new();
        let mut key_findings = Vec::new();
        let mut documents: BTreeMap<String, String> = BTreeMap::new();
        let mut chunk_count = 0usize;
        let facts = {
            let mut sink = |document: Document| -> Result<()> {
                let key = unique_key(&documents, &document.key, &mut key_findings);
                let hash = hex(&Sha256::digest(document.text.as_bytes()))[..16].to_string();
                chunk_count += self.add_document(writer, spec, &key, &document)?;
                documents.insert(key, hash);
                progress.advance(1);
                Ok(())
            };
            parse(&mut sink, &mut findings)
        };
        findings.append(&mut key_findings);
        let facts = match facts {
            Ok(facts) => facts,
            Err(error) => {
                let _ = writer.rollback();
                let _ = std::fs::remove_dir_all(&staging);
                return Err(error);
            }
        };
        progress.finish();
        if documents.is_empty() {
            let _ = writer.rollback();
            let _ = std::fs::remove_dir_all(&staging);
            let reason = findings
                .first()
                .map(|finding| format!("{}: {}", finding.subject, finding.message))
                .unwrap_or_else(|| "no document found".into());
            return Err(Error::Empty {
                pack: spec.id.clone(),
                reason,
            });
        }

        let version = facts
            .version
            .or(fetched.version_hint)
            .unwrap_or_else(|| fetched.checksum[..12].to_string());
        // A folder of its own for every install, even of the same version: the serving
        // version's files must stay whole until the commit that replaces them.
        let storage = format!(
            "sources/{}/{}-{}-{:x}",
            spec.id,
            sanitize(&version),
            &fetched.checksum[..12],
            crate::time::unix_nanos() & 0xff_ffff_ffff
        );
        let storage_path = self.config.root.join(&storage);
        if let Some(parent) = storage_path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error("create", parent))?;
        }
        if matches!(spec.origin, Origin::Folder(_)) {
            std::fs::create_dir_all(&storage_path).map_err(io_error("create", &storage_path))?;
            let _ = std::fs::remove_dir_all(&staging);
        } else {
            std::fs::rename(&staging, &storage_path).map_err(io_error("move", &staging))?;
        }
        write_file(
            &storage_path.join("documents.tsv"),
            write_document_list(&documents).as_bytes(),
        )?;
        write_file(
            &storage_path.join("findings.json"),
            serde_json::to_string_pretty(&findings)
                .unwrap_or_default()
                .as_bytes(),
        )?;

        let previous_documents = previous
            .as_ref()
            .and_then(|previous| {
                std::fs::read_to_string(
                    self.config
                        .root
                        .join(&previous.storage)
                        .join("documents.tsv"),
                )
                .ok()
            })
            .map(|text| parse_document_list(&text))
            .unwrap_or_default();
        let (added, changed, removed) = compare_documents(&previous_documents, &documents);
        let now = crate::time::now_rfc3339();
        let change = ChangeRecord {
            id: format!("{}-{}", crate::time::unix_nanos(), spec.id),
            at: now.clone(),
            pack: spec.id.clone(),
            from_version: previous.as_ref().map(|previous| previous.version.clone()),
            to_version: Some(version.clone()),
            added: added.len(),
            changed: changed.len(),
            removed: removed.len(),
            added_keys: added.into_iter().take(CHANGE_SAMPLE).collect(),
            changed_keys: changed.into_iter().take(CHANGE_SAMPLE).collect(),
            removed_keys: removed.into_iter().take(CHANGE_SAMPLE).collect(),
        };
        let installed = InstalledPack {
            id: spec.id.clone(),
            title: spec.title.clone(),
            publisher: spec.publisher.clone(),
            licence: spec.licence.clone(),
            homepage: spec.homepage.clone(),
            language: spec.language.code().to_string(),
            parser: spec.parser,
            version: version.clone(),
            published: facts.published.or(fetched.published_hint),
            retrieved_at: now,
            origin: fetched.origin,
            checksum: fetched.checksum,
            files: fetched.files,
            documents: documents.len(),
            chunks: chunk_count,
            skipped: findings
                .iter()
                .filter(|finding| finding.severity == Severity::Skipped)
                .count(),
            storage: storage.clone(),
            build: BUILD,
            vectors: None,
        };
        let mut catalog = Catalog::clone(&self.catalog());
        catalog.format = CATALOG_FORMAT;
        catalog.packs.insert(spec.id.clone(), installed);
        catalog.last_change = Some(change.clone());
        progress.stage(&spec.id, "committing", None);
        self.commit(writer, &catalog)?;
        progress.finish();
        if let Some(previous) = previous
            && previous.storage != storage
        {
            let _ = std::fs::remove_dir_all(self.config.root.join(&previous.storage));
        }
        Ok(InstallReport {
            pack: spec.id.clone(),
            outcome: InstallOutcome::Installed {
                version,
                documents: documents.len(),
                chunks: chunk_count,
                change: Box::new(change),
            },
            findings,
            duration_ms: started.elapsed().as_millis(),
        })
    }

    /// Removes an installed pack from the index and deletes its files.
    pub fn remove(&self, pack: &str) -> Result<ChangeRecord> {
        let mut writer = self.writer()?;
        let mut catalog = Catalog::clone(&self.catalog());
        let installed = catalog
            .packs
            .remove(pack)
            .ok_or_else(|| Error::NotInstalled(pack.to_string()))?;
        writer.delete_term(Term::from_field_text(self.fields.pack, pack));
        let now = crate::time::now_rfc3339();
        let change = ChangeRecord {
            id: format!("{}-{pack}", crate::time::unix_nanos()),
            at: now,
            pack: pack.to_string(),
            from_version: Some(installed.version.clone()),
            to_version: None,
            added: 0,
            changed: 0,
            removed: installed.documents,
            added_keys: Vec::new(),
            changed_keys: Vec::new(),
            removed_keys: Vec::new(),
        };
        catalog.last_change = Some(change.clone());
        self.commit(&mut writer, &catalog)?;
        let _ = std::fs::remove_dir_all(self.config.root.join(&installed.storage));
        Ok(change)
    }

    pub(crate) fn vector_cache(&self) -> &RwLock<HashMap<String, Arc<VectorSet>>> {
        &self.vectors
    }

    pub(crate) fn writer(&self) -> Result<IndexWriter> {
        let memory = self.config.writer_memory_mb.max(32) << 20;
        let writer: IndexWriter = match self
            .index
            .writer_with_num_threads(self.config.writer_threads.max(1), memory)
        {
            Ok(writer) => writer,
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(Error::Busy),
            Err(error) => return Err(error.into()),
        };
        // Files left by a process killed in the middle of indexing are not referenced by
        // the last commit: drop them now.
        let _ = writer.garbage_collect_files().wait();
        Ok(writer)
    }

    pub(crate) fn commit(&self, writer: &mut IndexWriter, catalog: &Catalog) -> Result<()> {
        // A catalog is maps and strings: it always serializes.
        let payload = serde_json::to_string(catalog).expect("the catalog serializes to JSON");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reload()?;
        self.sync_change_log()
    }

    fn add_document(
        &self,
        writer: &IndexWriter,
        spec: &PackSpec,
        key: &str,
        document: &Document,
    ) -> Result<usize> {
        let fields = &self.fields;
        let chunks = chunk_document(document, self.config.chunk_max_chars);
        let text_field = fields.text_field(document.language);
        let document_id = doc_id(&spec.id, key);
        let licence = document.licence.as_deref().unwrap_or(&spec.licence);
        for chunk in &chunks {
            let body = &document.text[chunk.bytes.clone()];
            let heading_path = chunk.heading_path.join(" › ");
            let mut indexed =
                String::with_capacity(document.title.len() + heading_path.len() + body.len() + 2);
            // The title and section path are searched with the passage: a chunk deep in
            // "Posologie" of a drug's document still matches the drug's name.
            if chunk.heading_path.first() != Some(&document.title) {
                indexed.push_str(&document.title);
                indexed.push('\n');
            }
            indexed.push_str(&heading_path);
            indexed.push('\n');
            indexed.push_str(body);
            let mut tantivy_document = TantivyDocument::default();
            tantivy_document.add_text(
                fields.chunk_id,
                format!("{}:{}#{}", spec.id, key, chunk.ordinal),
            );
            tantivy_document.add_text(fields.pack, &spec.id);
            tantivy_document.add_text(fields.doc_id, &document_id);
            tantivy_document.add_text(fields.doc_key, key);
            tantivy_document.add_text(fields.title, &document.title);
            tantivy_document.add_text(fields.heading_path, &heading_path);
            tantivy_document.add_text(fields.body, body);
            tantivy_document.add_text(fields.gap_after, &chunk.gap_after);
            tantivy_document.add_text(text_field, &indexed);
            tantivy_document.add_text(fields.lang, document.language.code());
            if let Some(date) = &document.date {
                tantivy_document.add_text(fields.date, date);
                if let Some(number) = date_number(date) {
                    tantivy_document.add_i64(fields.date_number, number);
                }
            }
            tantivy_document.add_u64(fields.ordinal, chunk.ordinal as u64);
            tantivy_document.add_u64(fields.start_char, chunk.chars.start as u64);
            tantivy_document.add_u64(fields.end_char, chunk.chars.end as u64);
            if let Some(url) = &document.url {
                tantivy_document.add_text(fields.url, url);
            }
            tantivy_document.add_text(fields.licence, licence);
            writer.add_document(tantivy_document)?;
        }
        Ok(chunks.len())
    }

    /// Deletes staging folders and pack folders that no committed catalog refers to: what a
    /// killed process left behind. Runs under the writer lock.
    fn remove_orphans(&self) -> Result<()> {
        let _ = std::fs::remove_dir_all(self.config.root.join("staging"));
        let catalog = self.catalog();
        let sources = self.config.root.join("sources");
        let Ok(packs) = std::fs::read_dir(&sources) else {
            return Ok(());
        };
        for pack in packs.flatten() {
            let Ok(versions) = std::fs::read_dir(pack.path()) else {
                continue;
            };
            for version in versions.flatten() {
                let relative = format!(
                    "sources/{}/{}",
                    pack.file_name().to_string_lossy(),
                    version.file_name().to_string_lossy()
                );
                if !catalog
                    .packs
                    .values()
                    .any(|installed| installed.storage == relative)
                {
                    tracing::info!(folder = %relative, "removing files of an interrupted update");
                    let _ = std::fs::remove_dir_all(version.path());
                }
            }
        }
        Ok(())
    }

    /// Appends the last commit's change to `changes.jsonl` if it is not there yet (after a
    /// crash between the commit and the append, the next open repairs it).
    fn sync_change_log(&self) -> Result<()> {
        let Some(change) = self.catalog().last_change.clone() else {
            return Ok(());
        };
        if self
            .changes()?
            .iter()
            .any(|recorded| recorded.id == change.id)
        {
            return Ok(());
        }
        let path = self.config.root.join("changes.jsonl");
        let mut line = serde_json::to_string(&change).unwrap_or_default();
        line.push('\n');
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_error("open", &path))?;
        file.write_all(line.as_bytes())
            .map_err(io_error("write", &path))?;
        file.sync_all().map_err(io_error("write", &path))
    }

    /// The stored text of a chunk's field.
    pub(crate) fn stored_text(document: &TantivyDocument, field: tantivy::schema::Field) -> String {
        document
            .get_first(field)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// A stored number of a chunk.
    pub(crate) fn stored_u64(document: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
        document
            .get_first(field)
            .and_then(|value| value.as_u64())
            .unwrap_or_default()
    }
}

fn read_catalog(index: &Index) -> Result<Catalog> {
    let metas = index.load_metas()?;
    match metas.payload {
        None => Ok(Catalog {
            format: CATALOG_FORMAT,
            ..Catalog::default()
        }),
        Some(payload) => serde_json::from_str(&payload).map_err(|error| Error::CorruptIndex {
            path: PathBuf::from("index/meta.json"),
            reason: format!("unreadable catalog: {error}"),
        }),
    }
}

fn unique_key(
    documents: &BTreeMap<String, String>,
    key: &str,
    findings: &mut Vec<Finding>,
) -> String {
    let clean: String = key
        .chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect();
    if !documents.contains_key(&clean) {
        return clean;
    }
    let mut suffix = 2;
    while documents.contains_key(&format!("{clean}~{suffix}")) {
        suffix += 1;
    }
    let unique = format!("{clean}~{suffix}");
    findings.push(Finding::note(
        &clean,
        format!("duplicate document key: indexed as `{unique}`"),
    ));
    unique
}

fn sanitize(version: &str) -> String {
    version
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || character == '-' || character == '.' {
                character
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, bytes).map_err(io_error("write", &temporary))?;
    std::fs::File::open(&temporary)
        .and_then(|file| file.sync_all())
        .map_err(io_error("write", &temporary))?;
    std::fs::rename(&temporary, path).map_err(io_error("write", path))
}
