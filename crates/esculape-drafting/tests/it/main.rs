//! Integration tests of drafting and synthesis. Notes are synthetic, written for these
//! tests (names, numbers and identifiers are invented); the real-model test uses the
//! default GGUF model installed from PyPI.

mod model;

use esculape_drafting::{
    ChangeKind, DocumentTypes, Draft, DraftConfig, DraftMode, DraftRequest, Error, InputDocument,
    MedicationLists, Origin, Resources, draft, draft_markdown, markdown_to_html, patient_notice,
};
use esculape_llm::{
    ChatMessage, FinishReason, GenerateRequest, Generator, StreamEvent, TokenStream, Usage,
};
use std::sync::Mutex;

/// Synthetic identifiers planted in the notes: none may reach a model.
const PLANTED: &[&str] = &[
    "Jean-Pierre MARCHAND",
    "MARCHAND",
    "12/03/1961",
    "06 11 22 33 44",
    "80012345",
];

const NOTES: &str = "Patient : M. Jean-Pierre MARCHAND, né le 12/03/1961, IPP 80012345, tél 06 11 22 33 44.\n\
Motif : décompensation cardiaque globale.\n\
Antécédents : hypertension artérielle, fibrillation atriale.\n\
Au cours du séjour, amélioration sous diurétiques avec perte de 4 kg.\n\
Biologie : créatinine à 110 µmol/l, hémoglobine à 12,5 g/dl.\n\
Furosémide majoré pour rétention hydrosodée.\n\
Consultation de cardiologie à prévoir dans 1 mois.\n";

fn types() -> DocumentTypes {
    DocumentTypes::built_in()
}

fn run(
    type_id: &str,
    documents: Vec<InputDocument>,
    mode: DraftMode,
    generator: Option<&dyn Generator>,
) -> Draft {
    let types = types();
    let request = DraftRequest {
        document_type: types.get(type_id).unwrap(),
        documents,
        medications: None,
    };
    let config = DraftConfig {
        mode,
        ..DraftConfig::default()
    };
    draft(
        &request,
        &config,
        Resources {
            generator,
            ..Resources::default()
        },
    )
    .unwrap()
}

/// `expect` lists "section: first sentence" or "section: MISSING".
fn check(type_id: &str, notes: &str, expect: &[&str]) {
    let draft = run(
        type_id,
        vec![InputDocument::new("notes", notes)],
        DraftMode::Extractive,
        None,
    );
    let found: Vec<String> = draft
        .sections
        .iter()
        .map(
            |section| match (&section.missing, section.sentences.first()) {
                (Some(_), _) => format!("{}: MISSING", section.id),
                (None, Some(sentence)) => format!("{}: {}", section.id, sentence.text),
                (None, None) => format!("{}: -", section.id),
            },
        )
        .collect();
    assert_eq!(found, expect);
}

#[test]
fn lettre_de_liaison_places_sentences_and_writes_missing_items() {
    check(
        "lettre-de-liaison",
        NOTES,
        &[
            "motif: décompensation cardiaque globale.",
            "antecedents: hypertension artérielle, fibrillation atriale.",
            "sejour: Patient : M. Jean-Pierre MARCHAND, né le 12/03/1961, IPP 80012345, tél 06 11 22 33 44.",
            "resultats: créatinine à 110 µmol/l, hémoglobine à 12,5 g/dl.",
            "resultats-en-attente: MISSING",
            "traitements: Furosémide majoré pour rétention hydrosodée.",
            "suivi: Consultation de cardiologie à prévoir dans 1 mois.",
            "contact: MISSING",
        ],
    );
}

#[test]
fn a_mandatory_item_absent_from_the_notes_is_written_as_missing() {
    let draft = run(
        "lettre-de-liaison",
        vec![InputDocument::new("notes", NOTES)],
        DraftMode::Extractive,
        None,
    );
    let markdown = draft_markdown(&draft);
    assert!(
        markdown.contains("Résultats en attente : non renseigné dans les notes."),
        "{markdown}"
    );
}

#[test]
fn every_extractive_sentence_links_to_its_exact_span_in_the_original() {
    let draft = run(
        "compte-rendu-consultation",
        vec![InputDocument::new("notes", NOTES)],
        DraftMode::Extractive,
        None,
    );
    let mut seen = 0;
    for section in &draft.sections {
        for sentence in &section.sentences {
            assert_eq!(sentence.spans.len(), 1);
            let span = &sentence.spans[0];
            assert_eq!(&NOTES[span.start..span.end], sentence.text);
            assert_eq!(
                NOTES
                    .chars()
                    .skip(span.start_char)
                    .take(span.end_char - span.start_char)
                    .collect::<String>(),
                sentence.text
            );
            assert!(sentence.verification.verified);
            seen += 1;
        }
    }
    assert_eq!(seen, 7);
    assert!(
        draft.identifiers_replaced >= 4,
        "{}",
        draft.identifiers_replaced
    );
}

/// A Generator that records every message it receives and answers with a fixed text.
struct RecordingGenerator {
    answer: String,
    received: Mutex<Vec<ChatMessage>>,
}

impl RecordingGenerator {
    fn new(answer: &str) -> RecordingGenerator {
        RecordingGenerator {
            answer: answer.to_string(),
            received: Mutex::new(Vec::new()),
        }
    }

    fn everything_received(&self) -> String {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|message| message.content.as_str().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Generator for RecordingGenerator {
    fn id(&self) -> &str {
        "recording-test-generator"
    }
    fn context_tokens(&self) -> usize {
        8192
    }
    fn count_tokens(&self, messages: &[ChatMessage]) -> esculape_llm::Result<usize> {
        Ok(messages
            .iter()
            .map(|message| message.content.len() / 4)
            .sum())
    }
    fn generate(&self, request: GenerateRequest) -> esculape_llm::Result<TokenStream> {
        self.received.lock().unwrap().extend(request.messages);
        let text = self.answer.clone();
        Ok(TokenStream::new(
            vec![
                Ok(StreamEvent::Text(text.clone())),
                Ok(StreamEvent::Done {
                    text,
                    finish_reason: FinishReason::Stop,
                    usage: Usage::default(),
                }),
            ]
            .into_iter(),
        ))
    }
}

#[test]
fn a_draft_never_sends_an_unpseudonymized_identifier_to_the_model() {
    let generator = RecordingGenerator::new("Le patient a été hospitalisé [1].");
    let draft = run(
        "lettre-de-liaison",
        vec![InputDocument::new("notes", NOTES)],
        DraftMode::Generative,
        Some(&generator),
    );
    let received = generator.everything_received();
    assert!(received.contains("<notes>"), "the model was called");
    for identifier in PLANTED {
        assert!(
            !received.contains(identifier),
            "`{identifier}` reached the model"
        );
    }
    // The re-identified draft gives the clinician the originals back.
    let sejour = draft
        .sections
        .iter()
        .find(|section| section.id == "sejour")
        .unwrap();
    assert!(
        sejour
            .sentences
            .iter()
            .any(|sentence| sentence.text.contains("MARCHAND")),
        "{sejour:?}"
    );
}

#[test]
fn pseudonymization_that_cannot_run_fails_the_draft() {
    let types = types();
    let request = DraftRequest {
        document_type: types.get("lettre-de-liaison").unwrap(),
        documents: vec![InputDocument::new("notes", NOTES)],
        medications: None,
    };
    let config = DraftConfig {
        pseudonymization: esculape_pseudo_config_without_detectors(),
        ..DraftConfig::default()
    };
    let error = draft(&request, &config, Resources::default()).unwrap_err();
    assert!(matches!(error, Error::Pseudonymization(_)), "{error}");
}

fn esculape_pseudo_config_without_detectors() -> esculape_pseudo::Config {
    esculape_pseudo::Config {
        detectors: Vec::new(),
        ..esculape_pseudo::Config::default()
    }
}

#[test]
fn a_number_not_in_the_input_is_flagged_and_not_kept() {
    // The model turns 110 into 150: the sentence is flagged, the section keeps the notes.
    let generator = RecordingGenerator::new("La créatinine était à 150 µmol/l [1].");
    let draft = run(
        "lettre-de-liaison",
        vec![InputDocument::new("notes", NOTES)],
        DraftMode::Generative,
        Some(&generator),
    );
    let flagged: Vec<String> = draft
        .flagged
        .iter()
        .filter(|flagged| flagged.section == "resultats")
        .flat_map(|flagged| {
            flagged
                .sentence
                .verification
                .problems
                .iter()
                .map(|problem| serde_json::to_string(problem).unwrap())
        })
        .collect();
    assert!(
        flagged
            .iter()
            .any(|problem| problem.contains("number_not_in_source") && problem.contains("150")),
        "{flagged:?}"
    );
    let resultats = draft
        .sections
        .iter()
        .find(|section| section.id == "resultats")
        .unwrap();
    assert!(
        resultats
            .sentences
            .iter()
            .all(|sentence| !sentence.text.contains("150"))
    );
    assert_eq!(resultats.sentences[0].origin, Origin::Notes);
    assert_eq!(
        resultats.fallback_reason.as_deref(),
        Some("the model gave no verified sentence")
    );
}

#[test]
fn a_supported_model_sentence_is_kept_with_its_span() {
    let generator =
        RecordingGenerator::new("Créatinine à 110 µmol/l et hémoglobine à 12,5 g/dl [5].");
    let draft = run(
        "lettre-de-liaison",
        vec![InputDocument::new("notes", NOTES)],
        DraftMode::Generative,
        Some(&generator),
    );
    let resultats = draft
        .sections
        .iter()
        .find(|section| section.id == "resultats")
        .unwrap();
    let sentence = &resultats.sentences[0];
    assert_eq!(sentence.origin, Origin::Model, "{resultats:?}");
    assert_eq!(
        &NOTES[sentence.spans[0].start..sentence.spans[0].end],
        "créatinine à 110 µmol/l, hémoglobine à 12,5 g/dl."
    );
    assert_eq!(
        draft.ai_use.model.as_deref(),
        Some("recording-test-generator")
    );
}

#[test]
fn treatments_are_reconciled_with_reasons_from_the_notes() {
    let types = types();
    let request = DraftRequest {
        document_type: types.get("lettre-de-liaison").unwrap(),
        documents: vec![InputDocument::new("notes", NOTES)],
        medications: Some(MedicationLists {
            admission: InputDocument::new(
                "entree.txt",
                "- furosémide 40 mg/j\n- ramipril 5 mg/j\n- paracétamol 1 g si douleur\n",
            ),
            discharge: InputDocument::new(
                "sortie.txt",
                "- furosémide 80 mg/j\n- ramipril 5 mg/j\n- bisoprolol 2,5 mg/j\n",
            ),
        }),
    };
    let draft = draft(&request, &DraftConfig::default(), Resources::default()).unwrap();
    let changes: Vec<(ChangeKind, Option<&str>, Option<&str>, bool)> = draft
        .treatments
        .iter()
        .map(|change| {
            (
                change.kind,
                change.admission.as_deref(),
                change.discharge.as_deref(),
                change.reason.is_some(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                ChangeKind::DoseChanged,
                Some("furosémide 40 mg/j"),
                Some("furosémide 80 mg/j"),
                true
            ),
            (
                ChangeKind::Continued,
                Some("ramipril 5 mg/j"),
                Some("ramipril 5 mg/j"),
                false
            ),
            (ChangeKind::Added, None, Some("bisoprolol 2,5 mg/j"), false),
            (
                ChangeKind::Stopped,
                Some("paracétamol 1 g si douleur"),
                None,
                false
            ),
        ]
    );
    let markdown = draft_markdown(&draft);
    assert!(
        markdown.contains("- Posologie modifiée : furosémide 40 mg/j → furosémide 80 mg/j"),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("- Motif (introduit : bisoprolol 2,5 mg/j) : non renseigné dans les notes"),
        "{markdown}"
    );
    assert!(markdown.contains("- Motif (posologie modifiée : furosémide 80 mg/j) : Furosémide majoré pour rétention hydrosodée."), "{markdown}");
}

#[test]
fn synthesis_links_each_sentence_to_its_document_and_points_out_contradictions() {
    let first = "Compte rendu des urgences. Hémoglobine à 9,1 g/dl. Patiente âgée de 70 ans.";
    let second = "Compte rendu d'hospitalisation. Hémoglobine à 10,4 g/dl à la sortie.";
    let draft = run(
        "synthese",
        vec![
            InputDocument::new("urgences", first),
            InputDocument::new("hospitalisation", second),
        ],
        DraftMode::Extractive,
        None,
    );
    let examens = draft
        .sections
        .iter()
        .find(|section| section.id == "examens")
        .unwrap();
    let documents: Vec<usize> = examens
        .sentences
        .iter()
        .map(|sentence| sentence.spans[0].document)
        .collect();
    assert_eq!(documents, [0, 1], "{examens:?}");
    assert_eq!(draft.contradictions.len(), 1, "{:?}", draft.contradictions);
    let contradiction = &draft.contradictions[0];
    assert_eq!(
        (contradiction.subject.as_str(), contradiction.unit.as_str()),
        ("hemoglobine", "g/dl")
    );
    let values: Vec<&str> = contradiction
        .mentions
        .iter()
        .map(|mention| mention.written.as_str())
        .collect();
    assert_eq!(values, ["10,4 g/dl", "9,1 g/dl"]);
}

#[test]
fn a_site_adds_its_own_document_type_from_a_folder() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("cr-op.toml"),
        "id = \"cr-operatoire\"\nname_fr = \"Compte rendu opératoire\"\nname_en = \"Operative report\"\nreference = \"protocole du service\"\n\n[[sections]]\nid = \"geste\"\ntitle_fr = \"Geste\"\ntitle_en = \"Procedure\"\nmandatory = true\ncues = [\"incision\", \"Suture\"]\n",
    )
    .unwrap();
    let types = DocumentTypes::with_folder(folder.path()).unwrap();
    let request = DraftRequest {
        document_type: types.get("cr-operatoire").unwrap(),
        documents: vec![InputDocument::new(
            "notes",
            "Incision médiane. Le patient va bien.",
        )],
        medications: None,
    };
    let draft = draft(&request, &DraftConfig::default(), Resources::default()).unwrap();
    assert_eq!(draft.sections[0].sentences.len(), 1);
    assert_eq!(draft.sections[0].sentences[0].text, "Incision médiane.");

    std::fs::write(
        folder.path().join("broken.toml"),
        "id = \"x\"\nname_fr = \"x\"\nname_en = \"x\"\nreference = \"x\"\nsections = []\n",
    )
    .unwrap();
    let error = DocumentTypes::with_folder(folder.path())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("broken.toml") && error.contains("sections"),
        "{error}"
    );
    let error = types.get("inconnu").unwrap_err().to_string();
    assert!(error.contains("`lettre-de-liaison`"), "{error}");
}

#[test]
fn empty_notes_are_refused_with_what_to_give() {
    let types = types();
    let request = DraftRequest {
        document_type: types.get("lettre-de-liaison").unwrap(),
        documents: vec![InputDocument::new("notes", "  \n")],
        medications: None,
    };
    let error = draft(&request, &DraftConfig::default(), Resources::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the notes are empty: give the clinician's notes or a dictation transcript"
    );
}

#[test]
fn the_patient_notice_and_html_export_say_who_validated() {
    let draft = run(
        "compte-rendu-consultation",
        vec![InputDocument::new(
            "notes",
            "Motif : <script>douleur</script> thoracique.",
        )],
        DraftMode::Extractive,
        None,
    );
    let (french, english) = patient_notice(
        &draft.ai_use,
        Some(esculape_drafting::Validation {
            by: "Dr Martin",
            at: "2026-12-02",
        }),
    );
    assert!(
        french.contains("intelligence artificielle")
            && french.contains("validé par Dr Martin le 2026-12-02")
    );
    assert!(
        english.contains("artificial intelligence")
            && english.contains("validated by Dr Martin on 2026-12-02")
    );
    let html = markdown_to_html(&draft_markdown(&draft), &french, &english);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;douleur&lt;/script&gt;"));
    assert!(html.contains("<footer>"));
}

#[test]
fn discharge_treatment_interactions_come_from_the_ansm_thesaurus() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/drugs/ansm-thesaurus/2020_01");
    let Ok(thesaurus_json) = std::fs::read_to_string(
        folder
            .join("thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json"),
    ) else {
        eprintln!("skipped: ../shared/data is absent (the ANSM thesaurus lives there)");
        return;
    };
    let index_json =
        std::fs::read_to_string(folder.join("index-des-substances-20102020.json")).unwrap();
    let thesaurus =
        esculape_drugs::Thesaurus::from_json(&thesaurus_json, &index_json, "2020_01").unwrap();
    let types = types();
    let request = DraftRequest {
        document_type: types.get("lettre-de-liaison").unwrap(),
        documents: vec![InputDocument::new("notes", NOTES)],
        medications: Some(MedicationLists {
            admission: InputDocument::new("entree.txt", "simvastatine 20 mg/j\n"),
            discharge: InputDocument::new(
                "sortie.txt",
                "simvastatine 20 mg/j\nclarithromycine 500 mg\n",
            ),
        }),
    };
    let draft = draft(
        &request,
        &DraftConfig::default(),
        Resources {
            thesaurus: Some(&thesaurus),
            ..Resources::default()
        },
    )
    .unwrap();
    let report = draft
        .interactions
        .as_ref()
        .expect("the thesaurus was given");
    let alerts: Vec<(String, [String; 2])> = report
        .alerts
        .iter()
        .map(|alert| (alert.level.label_fr().to_string(), alert.labels.clone()))
        .collect();
    assert_eq!(
        alerts,
        [(
            esculape_drugs::Level::ContreIndication
                .label_fr()
                .to_string(),
            [
                "simvastatine 20 mg/j".to_string(),
                "clarithromycine 500 mg".to_string()
            ]
        )]
    );
    assert!(
        draft_markdown(&draft).contains("Interaction ("),
        "alerts are in the draft"
    );
}
