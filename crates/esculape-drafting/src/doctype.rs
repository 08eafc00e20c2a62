//! Document types as data: sections, mandatory items, order and French/English wording,
//! read from TOML files (the built-in ones under `data/types`, a site's own from a folder).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What fills a section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Sentences of the notes.
    #[default]
    Text,
    /// The reconciled treatment lists (when given), then sentences of the notes.
    Treatments,
}

/// One section of a document type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    pub id: String,
    pub title_fr: String,
    pub title_en: String,
    /// A mandatory section the notes do not cover is written as missing.
    #[serde(default)]
    pub mandatory: bool,
    /// Receives the relevant sentences no other section claims.
    #[serde(default)]
    pub fallback: bool,
    #[serde(default)]
    pub kind: SectionKind,
    /// Folded labels that open this section when a line starts with one and a colon.
    #[serde(default)]
    pub headings: Vec<String>,
    /// Folded word prefixes (or phrases) that place a sentence in this section.
    #[serde(default)]
    pub cues: Vec<String>,
}

/// A document type: its sections in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentType {
    pub id: String,
    pub name_fr: String,
    pub name_en: String,
    /// Where the content criteria come from.
    pub reference: String,
    pub sections: Vec<SectionSpec>,
}

const BUILT_IN: &[(&str, &str)] = &[
    (
        "lettre-de-liaison.toml",
        include_str!("../data/types/lettre-de-liaison.toml"),
    ),
    (
        "compte-rendu-consultation.toml",
        include_str!("../data/types/compte-rendu-consultation.toml"),
    ),
    (
        "courrier-adressage.toml",
        include_str!("../data/types/courrier-adressage.toml"),
    ),
    ("synthese.toml", include_str!("../data/types/synthese.toml")),
];

/// The document types known to a site: the built-in ones, plus those of a folder.
#[derive(Debug, Clone)]
pub struct DocumentTypes {
    types: Vec<DocumentType>,
}

impl DocumentTypes {
    /// The built-in types (lettre de liaison, compte rendu de consultation, courrier
    /// d'adressage, synthèse).
    pub fn built_in() -> DocumentTypes {
        let types = BUILT_IN
            .iter()
            .map(|(file, text)| {
                DocumentType::from_toml(text, file).expect("built-in document types are valid")
            })
            .collect();
        DocumentTypes { types }
    }

    /// The built-in types plus every `*.toml` file of `folder`; a site's type replaces a
    /// built-in one of the same id.
    pub fn with_folder(folder: &Path) -> Result<DocumentTypes> {
        let mut types = DocumentTypes::built_in();
        let entries = std::fs::read_dir(folder).map_err(|error| Error::TypesFolder {
            folder: folder.display().to_string(),
            reason: error.to_string(),
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "toml")
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|error| Error::InvalidType {
                file: path.display().to_string(),
                reason: error.to_string(),
            })?;
            let document_type = DocumentType::from_toml(&text, &path.display().to_string())?;
            types.types.retain(|known| known.id != document_type.id);
            types.types.push(document_type);
        }
        Ok(types)
    }

    pub fn all(&self) -> &[DocumentType] {
        &self.types
    }

    /// The type named `id`, or an error listing the known ones.
    pub fn get(&self, id: &str) -> Result<&DocumentType> {
        self.types
            .iter()
            .find(|document_type| document_type.id == id)
            .ok_or_else(|| Error::UnknownType {
                id: id.to_string(),
                known: self
                    .types
                    .iter()
                    .map(|document_type| format!("`{}`", document_type.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl DocumentType {
    /// Parses and checks one type file; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<DocumentType> {
        let invalid = |reason: String| Error::InvalidType {
            file: file.to_string(),
            reason,
        };
        let mut document_type: DocumentType =
            toml::from_str(text).map_err(|error| invalid(error.to_string()))?;
        if document_type.id.trim().is_empty() {
            return Err(invalid("`id` is empty".to_string()));
        }
        if document_type.sections.is_empty() {
            return Err(invalid(
                "a type needs at least one `[[sections]]`".to_string(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for section in &mut document_type.sections {
            if !seen.insert(section.id.clone()) {
                return Err(invalid(format!("section `{}` appears twice", section.id)));
            }
            // Cues are compared folded: fold them once here, so a file may write accents.
            for cue in section.cues.iter_mut().chain(section.headings.iter_mut()) {
                *cue = esculape_text::fold(cue.trim());
            }
        }
        if document_type
            .sections
            .iter()
            .filter(|section| section.fallback)
            .count()
            > 1
        {
            return Err(invalid(
                "at most one section may be the `fallback`".to_string(),
            ));
        }
        Ok(document_type)
    }
}
