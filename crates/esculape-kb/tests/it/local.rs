//! Local folders of documents: formats, bad files, updates, atomicity, context.

use crate::{install, open, search, titles};
use esculape_kb::{
    Error, FetchOptions, InstallOutcome, NoProgress, SearchRequest, Severity, local_folder_pack,
};
use esculape_text::Language;
use std::path::Path;

const PROTOCOL: &str = "# Protocole anticoagulation\n\nCe protocole est synthétique, écrit pour les tests.\n\n## Surveillance des AVK\n\nL'INR est contrôlé chaque semaine pendant le premier mois. La dose est adaptée par le médecin référent.\n\n## Relais héparine\n\nLe relais se fait selon la fiche du service.\n";

fn write(folder: &Path, name: &str, bytes: &[u8]) {
    let path = folder.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn protocols_folder() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    write(root, "anticoagulation.md", PROTOCOL.as_bytes());
    write(root, "accueil.html", "<html><head><title>Accueil</title></head><body><h1>Accueil des urgences</h1><p>Le tri est réalisé par l'infirmière d'accueil et d'orientation.</p></body></html>".as_bytes());
    // "Hygiène des mains: friction hydro-alcoolique." in Windows-1252.
    write(
        root,
        "hygiene.txt",
        b"Hygi\xe8ne des mains : friction hydro-alcoolique avant chaque soin.",
    );
    write(root, "fiches.jsonl", "{\"id\": \"f1\", \"title\": \"Fiche douleur\", \"text\": \"Évaluer la douleur avec une échelle numérique à chaque passage.\"}\nnot json\n{\"title\": \"sans texte\"}\n".as_bytes());
    write(root, "vide.md", b"");
    write(
        root,
        "casse.pdf",
        b"%PDF-1.4\nthis is not a PDF body\n%%EOF",
    );
    write(root, "copie/anticoagulation-copie.md", PROTOCOL.as_bytes());
    write(root, "image.png", b"\x89PNG\r\n\x1a\n");
    folder
}

fn skipped_subjects(report: &esculape_kb::InstallReport) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Skipped)
        .map(|finding| finding.subject.clone())
        .collect()
}

#[test]
fn local_folder_indexes_good_files_and_names_each_bad_one() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let spec = local_folder_pack(
        folder.path().to_path_buf(),
        "Protocoles du service",
        Language::French,
    );
    let report = install(&kb, &spec, None);
    let InstallOutcome::Installed { documents, .. } = report.outcome else {
        panic!("{report:?}")
    };
    assert_eq!(
        documents, 4,
        "md, html, txt and one JSONL line: {report:#?}"
    );
    let mut skipped = skipped_subjects(&report);
    skipped.sort();
    assert_eq!(
        skipped,
        [
            "casse.pdf",
            "copie/anticoagulation-copie.md",
            "fiches.jsonl line 2",
            "fiches.jsonl line 3",
            "image.png",
            "vide.md"
        ]
    );
    let note = report
        .findings
        .iter()
        .find(|finding| finding.subject == "hygiene.txt")
        .expect("a note on the encoding");
    assert!(note.message.contains("Windows-1252"), "{note:?}");

    let hits = search(&kb, "hygiène des mains", 3);
    assert!(
        hits[0].text.contains("Hygiène des mains"),
        "decoded accents: {:?}",
        hits[0].text
    );
    let hits = search(&kb, "infirmière d'orientation", 3);
    assert_eq!(hits[0].document_title, "Accueil des urgences");
    let installed = kb
        .catalog()
        .packs
        .get("protocoles-du-service")
        .cloned()
        .unwrap();
    assert_eq!(installed.publisher, "local");
    assert_eq!(installed.files.len(), 8);
}

#[test]
fn abbreviations_match_their_expansion_and_carry_section_and_highlights() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    install(
        &kb,
        &local_folder_pack(folder.path().to_path_buf(), "Protocoles", Language::French),
        None,
    );
    // The protocol writes "AVK"; a question may say "antivitamine K".
    let hits = search(&kb, "surveillance sous antivitamine K", 3);
    let hit = &hits[0];
    assert_eq!(
        hit.heading_path,
        "Protocole anticoagulation › Surveillance des AVK"
    );
    assert!(hit.text.contains("INR"), "{hit:?}");
    let highlighted: Vec<String> = hit
        .highlights
        .iter()
        .map(|[start, end]| hit.text.chars().skip(*start).take(end - start).collect())
        .collect();
    assert!(highlighted.contains(&"AVK".to_string()), "{highlighted:?}");
    assert!(
        highlighted.contains(&"Surveillance".to_string()),
        "{highlighted:?}"
    );
}

#[test]
fn passage_in_context_gives_back_the_exact_document_text() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    install(
        &kb,
        &local_folder_pack(folder.path().to_path_buf(), "Protocoles", Language::French),
        None,
    );
    let hit = search(&kb, "INR chaque semaine", 1).remove(0);
    let passage = kb.passage(&hit.chunk_id, 10_000).unwrap();
    let rebuilt = format!("{}{}{}", passage.before, passage.hit.text, passage.after);
    let (expected, _) = markdown_text(PROTOCOL);
    assert_eq!(rebuilt.trim_end(), expected.trim_end());
    let by_offsets: String = expected
        .chars()
        .skip(hit.start_char as usize)
        .take((hit.end_char - hit.start_char) as usize)
        .collect();
    assert_eq!(by_offsets, hit.text);
}

// The text the Markdown reader extracts: heading markers removed.
fn markdown_text(source: &str) -> (String, ()) {
    let text: String = source
        .lines()
        .map(|line| line.trim_start_matches('#').trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    (text + "\n", ())
}

#[test]
fn update_records_what_changed_and_unchanged_files_are_up_to_date() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let spec = local_folder_pack(folder.path().to_path_buf(), "Protocoles", Language::French);
    install(&kb, &spec, None);
    let again = install(&kb, &spec, None);
    assert!(
        matches!(again.outcome, InstallOutcome::UpToDate { .. }),
        "{again:?}"
    );

    write(
        folder.path(),
        "hygiene.txt",
        "Hygiène des mains : savon doux si les mains sont souillées.".as_bytes(),
    );
    write(
        folder.path(),
        "isolement.md",
        b"# Isolement contact\n\nSurblouse et gants.\n",
    );
    std::fs::remove_file(folder.path().join("accueil.html")).unwrap();
    let report = install(&kb, &spec, None);
    let InstallOutcome::Installed { change, .. } = report.outcome else {
        panic!("{report:?}")
    };
    assert_eq!(
        (change.added, change.changed, change.removed),
        (1, 1, 1),
        "{change:?}"
    );
    assert_eq!(change.added_keys, ["isolement.md"]);
    assert_eq!(change.changed_keys, ["hygiene.txt"]);
    assert_eq!(change.removed_keys, ["accueil.html"]);
    assert!(
        titles(&search(&kb, "tri infirmière accueil", 5))
            .iter()
            .all(|title| title != "Accueil des urgences")
    );
    assert!(search(&kb, "savon doux", 1)[0].text.contains("savon doux"));
    let changes = kb.changes().unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    // Only the current version's files are kept.
    let versions = std::fs::read_dir(data.path().join("sources/protocoles"))
        .unwrap()
        .count();
    assert_eq!(versions, 1);
}

#[test]
fn an_update_that_yields_nothing_keeps_the_previous_version_serving() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let spec = local_folder_pack(folder.path().to_path_buf(), "Protocoles", Language::French);
    install(&kb, &spec, None);
    for entry in std::fs::read_dir(folder.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(path).unwrap()
        } else {
            std::fs::write(path, b"").unwrap()
        }
    }
    let error = kb
        .install(&spec, &FetchOptions::default(), &NoProgress)
        .unwrap_err();
    assert!(matches!(error, Error::Empty { .. }), "{error}");
    assert!(error.to_string().contains("previous version"), "{error}");
    assert!(!search(&kb, "INR chaque semaine", 1).is_empty());
    // A new process sees the same.
    drop(kb);
    assert!(!search(&open(data.path()), "INR chaque semaine", 1).is_empty());
}

#[test]
fn filters_restrict_by_source_language_and_date() {
    let french = tempfile::tempdir().unwrap();
    write(french.path(), "a.jsonl", "{\"id\":\"1\",\"text\":\"La warfarine est un anticoagulant oral.\",\"date\":\"2019-05-01\"}\n{\"id\":\"2\",\"text\":\"La warfarine se surveille par l'INR.\",\"date\":\"2024-05-01\"}\n".as_bytes());
    let english = tempfile::tempdir().unwrap();
    write(english.path(), "b.jsonl", "{\"id\":\"1\",\"text\":\"Warfarin is an oral anticoagulant and its effect is monitored with the INR.\",\"date\":\"2022-01-01\"}\n".as_bytes());
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    install(
        &kb,
        &local_folder_pack(french.path().to_path_buf(), "Français", Language::French),
        None,
    );
    install(
        &kb,
        &local_folder_pack(english.path().to_path_buf(), "English", Language::English),
        None,
    );
    let all = kb.search(&SearchRequest::new("warfarine INR", 10)).unwrap();
    assert_eq!(all.len(), 3);
    let mut request = SearchRequest::new("warfarine INR", 10);
    request.sources = vec!["english".into()];
    assert_eq!(
        kb.search(&request)
            .unwrap()
            .iter()
            .map(|hit| hit.source.pack.as_str())
            .collect::<Vec<_>>(),
        ["english"]
    );
    let mut request = SearchRequest::new("warfarin INR", 10);
    request.language = Some(Language::French);
    assert!(
        kb.search(&request)
            .unwrap()
            .iter()
            .all(|hit| hit.language == "fr")
    );
    let mut request = SearchRequest::new("warfarine", 10);
    request.since = Some("2020-01-01".into());
    let dates: Vec<Option<String>> = kb
        .search(&request)
        .unwrap()
        .into_iter()
        .map(|hit| hit.date)
        .collect();
    assert!(
        dates
            .iter()
            .all(|date| date.as_deref() >= Some("2020-01-01")),
        "{dates:?}"
    );
    assert_eq!(dates.len(), 2);
    request.since = Some("hier".into());
    assert!(matches!(kb.search(&request), Err(Error::InvalidQuery(_))));
}

#[test]
fn a_query_of_stop_words_only_is_refused_plainly() {
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let error = kb
        .search(&SearchRequest::new("le la les de", 5))
        .unwrap_err();
    assert!(error.to_string().contains("no searchable word"), "{error}");
}

#[test]
fn a_file_over_the_size_limit_is_skipped_with_the_limit_named() {
    let folder = tempfile::tempdir().unwrap();
    write(folder.path(), "petit.md", b"# Petit\n\nUn protocole court.");
    write(
        folder.path(),
        "enorme.txt",
        "Une ligne de compte rendu.\n".repeat(200).as_bytes(),
    );
    let data = tempfile::tempdir().unwrap();
    let mut config = esculape_kb::KbConfig::at(data.path());
    config.limits.max_file_bytes = 1000;
    let kb = esculape_kb::KnowledgeBase::open(config).unwrap();
    let report = install(
        &kb,
        &local_folder_pack(folder.path().to_path_buf(), "Limite", Language::French),
        None,
    );
    let finding = report
        .findings
        .iter()
        .find(|finding| finding.subject == "enorme.txt")
        .expect("the big file is reported");
    assert_eq!(finding.severity, Severity::Skipped);
    assert!(finding.message.contains("limit"), "{finding:?}");
    assert_eq!(kb.catalog().packs["limite"].documents, 1);
}

#[test]
fn pdf_text_is_indexed_and_an_encrypted_pdf_is_named_as_such() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let folder = tempfile::tempdir().unwrap();
    for name in ["protocole.pdf", "protocole-chiffre.pdf"] {
        std::fs::copy(fixtures.join(name), folder.path().join(name)).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let report = install(
        &kb,
        &local_folder_pack(folder.path().to_path_buf(), "PDF", Language::French),
        None,
    );
    let encrypted = report
        .findings
        .iter()
        .find(|finding| finding.subject == "protocole-chiffre.pdf")
        .expect("the encrypted PDF is reported");
    assert_eq!(encrypted.severity, Severity::Skipped);
    assert!(encrypted.message.contains("encrypted"), "{encrypted:?}");
    let hits = search(&kb, "glycémie capillaire avant les repas", 1);
    assert_eq!(hits[0].document_key, "protocole.pdf");
    assert!(
        hits[0].text.contains("glycemie capillaire"),
        "{:?}",
        hits[0].text
    );
}

#[test]
fn term_statistics_count_the_passages_of_the_whole_index() {
    let folder = protocols_folder();
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let spec = local_folder_pack(folder.path().to_path_buf(), "Protocoles", Language::French);
    install(&kb, &spec, None);
    let term = |word: &str| esculape_kb::analyze(Language::French, word).remove(0);
    let (inr, friction, absent) = (term("INR"), term("friction"), term("zorbafénide"));
    let statistics = kb
        .term_statistics(Language::French, &[&inr, &friction, &absent])
        .unwrap();
    // Every passage of the pack is French; each word is in one document only.
    let passages = search(&kb, "protocole accueil hygiène douleur INR relais", 100).len() as u64;
    assert!(
        statistics.passages >= passages && passages >= 4,
        "{statistics:?}"
    );
    assert_eq!(statistics.document_frequencies, [1, 1, 0]);
    assert!(statistics.idf(2) > statistics.idf(0) && statistics.idf(0) > 0.0);
    // No English passage: nothing counted, and the weight is still finite.
    let english = kb.term_statistics(Language::English, &["inr"]).unwrap();
    assert_eq!(english.passages, 0);
    assert_eq!(english.document_frequencies, [0]);
    assert!(english.idf(0).is_finite());
}

#[test]
fn passages_of_equal_score_come_in_the_order_of_their_chunk_ids() {
    // Twelve documents with the same text score the same; the file lists them in an order
    // that is neither their ids' nor reversed, as a rebuilt index might store them.
    let folder = tempfile::tempdir().unwrap();
    let order = [7, 2, 11, 4, 9, 0, 5, 10, 1, 8, 3, 6];
    let lines: String = order
        .iter()
        .map(|id| {
            format!(
                "{{\"id\":\"fiche-{id:02}\",\"text\":\"La warfarine se surveille par l'INR.\"}}\n"
            )
        })
        .collect();
    write(folder.path(), "fiches.jsonl", lines.as_bytes());
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    install(
        &kb,
        &local_folder_pack(folder.path().to_path_buf(), "Fiches", Language::French),
        None,
    );
    let all: Vec<String> = kb
        .search(&SearchRequest::new("warfarine INR", 12))
        .unwrap()
        .into_iter()
        .map(|hit| hit.chunk_id)
        .collect();
    assert_eq!(all.len(), 12);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    // Asked for fewer, the first are the smallest ids (up to four tied passages beyond the
    // cut are looked at).
    let first: Vec<String> = kb
        .search(&SearchRequest::new("warfarine INR", 8))
        .unwrap()
        .into_iter()
        .map(|hit| hit.chunk_id)
        .collect();
    assert_eq!(first, sorted[..8]);
}
