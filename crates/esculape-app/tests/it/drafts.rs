//! Drafts through the use cases: owner only, every step audited, export only when
//! validated, with the patient information notice.

use super::*;
use esculape_app::ExportFormat;
use esculape_drafting::{DocumentTypes, DraftConfig, DraftRequest, InputDocument, Resources};

fn synthetic_draft() -> esculape_drafting::Draft {
    let types = DocumentTypes::built_in();
    let request = DraftRequest {
        document_type: types.get("compte-rendu-consultation").unwrap(),
        documents: vec![InputDocument::new(
            "notes",
            "Motif : douleur thoracique depuis 2 jours.\nExamen : auscultation normale.",
        )],
        medications: None,
    };
    esculape_drafting::draft(&request, &DraftConfig::default(), Resources::default()).unwrap()
}

#[test]
fn a_draft_is_exported_only_once_its_owner_validated_it() {
    let fixture = fixture();
    let martin = fixture
        .app
        .terminal_identity(Operator::terminal(), "dr.martin")
        .unwrap();
    let saved = fixture.app.save_draft(&martin, &synthetic_draft()).unwrap();
    assert_eq!(
        last_audit(&fixture.store),
        format!("dr.martin draft.create {} success", saved.id)
    );

    let error = fixture
        .app
        .export_draft(&martin, saved.id, ExportFormat::Html)
        .unwrap_err();
    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("only a validated document is exported")
    );
    assert_eq!(
        last_audit(&fixture.store),
        format!("dr.martin draft.export {} denied", saved.id)
    );

    let detail = fixture.app.draft_detail(&martin, saved.id).unwrap();
    let edited_body = detail.versions[0]
        .body
        .replace("auscultation normale", "auscultation cardiaque normale");
    let edited = fixture
        .app
        .edit_draft(&martin, saved.id, &edited_body)
        .unwrap();
    assert_eq!(
        (edited.status.as_str(), edited.latest_version),
        ("edited", 2)
    );
    let (french, _) = fixture.app.draft_notice(&martin, saved.id).unwrap();
    assert!(french.contains("doit être relu et validé"), "{french}");

    fixture.app.validate_draft(&martin, saved.id).unwrap();
    let html = fixture
        .app
        .export_draft(&martin, saved.id, ExportFormat::Html)
        .unwrap();
    assert!(html.contains("auscultation cardiaque normale"), "{html}");
    assert!(html.contains("validé par dr.martin le "), "{html}");
    assert!(html.contains("validated by dr.martin on "), "{html}");
    let text = fixture
        .app
        .export_draft(&martin, saved.id, ExportFormat::Text)
        .unwrap();
    assert!(text.starts_with("COMPTE RENDU DE CONSULTATION\n"), "{text}");
    assert_eq!(
        last_audit(&fixture.store),
        format!("dr.martin draft.export {} success", saved.id)
    );

    let error = fixture
        .app
        .edit_draft(&martin, saved.id, "late change")
        .unwrap_err();
    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
    let versions = fixture
        .app
        .draft_detail(&martin, saved.id)
        .unwrap()
        .versions;
    assert_eq!(versions.len(), 2);
}

#[test]
fn a_clinician_sees_only_their_own_drafts_and_other_roles_none() {
    let fixture = fixture();
    fixture
        .app
        .operator_create_user(
            Operator::terminal(),
            &NewAccount {
                login: "dr.durand".into(),
                display_name: "Dr Durand".into(),
                role: Role::Clinician,
                password: Password::new(PASSWORD),
            },
        )
        .unwrap();
    let martin = fixture
        .app
        .terminal_identity(Operator::terminal(), "dr.martin")
        .unwrap();
    let durand = fixture
        .app
        .terminal_identity(Operator::terminal(), "dr.durand")
        .unwrap();
    let saved = fixture.app.save_draft(&martin, &synthetic_draft()).unwrap();
    assert!(fixture.app.my_drafts(&durand).unwrap().is_empty());
    assert_eq!(fixture.app.my_drafts(&martin).unwrap().len(), 1);
    let error = fixture.app.draft_detail(&durand, saved.id).unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(
        last_audit(&fixture.store),
        format!("dr.durand draft.show {} denied", saved.id)
    );
    let error = fixture.app.validate_draft(&durand, saved.id).unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");

    let admin = fixture
        .app
        .terminal_identity(Operator::terminal(), "admin")
        .unwrap();
    let error = fixture.app.my_drafts(&admin).unwrap_err();
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    let error = fixture
        .app
        .terminal_identity(Operator::terminal(), "nobody")
        .unwrap_err();
    assert!(
        error.to_string().contains("esculape users add nobody"),
        "{error}"
    );
}
