//! What kind of identifier a finding is, and the finding itself.

use serde::{Deserialize, Serialize};

/// The kinds of identifier the engine finds. Each has a placeholder stem (`[NOM_1]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Label {
    /// A surname ("DUPONT", "Dupont").
    LastName,
    /// A first name ("Jeanne") or its initial ("J.").
    FirstName,
    /// French social security number (NIR) or national health identifier (INS).
    Nir,
    /// Hospital patient number (identifiant permanent du patient).
    Ipp,
    /// Hospital stay number (numéro de dossier administratif).
    Nda,
    /// Health professional identifier (RPPS).
    Rpps,
    /// Health professional identifier (ADELI).
    Adeli,
    /// Health establishment identifier (FINESS).
    Finess,
    /// Any other identifying number announced by a context word ("dossier n°", "SSN").
    OtherId,
    Phone,
    Email,
    Url,
    IpAddress,
    Iban,
    /// Payment card number (Luhn-valid).
    CardNumber,
    /// Street address ("12 rue des Lilas").
    Address,
    /// Postcode ("75013").
    Postcode,
    City,
    Country,
    /// Hospital, clinic or service when it names a place.
    Hospital,
    Date,
    BirthDate,
    /// An age over 89 years.
    Age,
}

impl Label {
    /// Every label, in a stable order.
    pub const ALL: [Label; 23] = [
        Label::LastName,
        Label::FirstName,
        Label::Nir,
        Label::Ipp,
        Label::Nda,
        Label::Rpps,
        Label::Adeli,
        Label::Finess,
        Label::OtherId,
        Label::Phone,
        Label::Email,
        Label::Url,
        Label::IpAddress,
        Label::Iban,
        Label::CardNumber,
        Label::Address,
        Label::Postcode,
        Label::City,
        Label::Country,
        Label::Hospital,
        Label::Date,
        Label::BirthDate,
        Label::Age,
    ];

    /// The stem of this label's placeholders (`NOM` in `[NOM_1]`), also its display name.
    pub fn placeholder_stem(self) -> &'static str {
        match self {
            Label::LastName => "NOM",
            Label::FirstName => "PRENOM",
            Label::Nir => "NIR",
            Label::Ipp => "IPP",
            Label::Nda => "NDA",
            Label::Rpps => "RPPS",
            Label::Adeli => "ADELI",
            Label::Finess => "FINESS",
            Label::OtherId => "ID",
            Label::Phone => "TEL",
            Label::Email => "MAIL",
            Label::Url => "URL",
            Label::IpAddress => "IP",
            Label::Iban => "IBAN",
            Label::CardNumber => "CARTE",
            Label::Address => "ADRESSE",
            Label::Postcode => "CODE_POSTAL",
            Label::City => "VILLE",
            Label::Country => "PAYS",
            Label::Hospital => "HOPITAL",
            Label::Date => "DATE",
            Label::BirthDate => "DATE_NAISSANCE",
            Label::Age => "AGE",
        }
    }

    /// Structured identifiers: found by patterns and validators, held to the highest recall.
    pub fn is_structured(self) -> bool {
        !matches!(
            self,
            Label::LastName
                | Label::FirstName
                | Label::Address
                | Label::City
                | Label::Country
                | Label::Hospital
        )
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.placeholder_stem())
    }
}

/// One identifier found in a text. Offsets refer to the input text: `start..end` in bytes,
/// `start_char..end_char` in Unicode scalar values. A finding never holds the text itself,
/// so findings can be logged and shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Finding {
    pub label: Label,
    pub start: usize,
    pub end: usize,
    pub start_char: usize,
    pub end_char: usize,
    /// How sure the detector is, from 0 to 1 (a validated check digit gives 0.99).
    pub confidence: f32,
    /// The detector that found it (`rules`, or a statistical model's name).
    pub detector: &'static str,
}

impl Finding {
    /// A finding over bytes `start..end`; character offsets are filled in later.
    pub fn new(label: Label, start: usize, end: usize, confidence: f32) -> Finding {
        Finding {
            label,
            start,
            end,
            start_char: 0,
            end_char: 0,
            confidence,
            detector: "rules",
        }
    }
}
