//! One line per identifier type and per eponym exception.

use super::check;

// Names.
#[test]
fn title_first_name_and_capitals() {
    check("Mme Jeanne DUPONT est venue.", "PRENOM=Jeanne, NOM=DUPONT");
}
#[test]
fn title_and_surname() {
    check("Vu par le Dr Martin ce jour.", "NOM=Martin");
}
#[test]
fn title_initial_and_surname() {
    check("Mme J. Dupont, 3e étage.", "PRENOM=J., NOM=Dupont");
}
#[test]
fn monsieur_in_capitals() {
    check("M. DURAND se plaint de douleurs.", "NOM=DURAND");
}
#[test]
fn surname_then_first_name() {
    check("Patient : Dupont Jean", "NOM=Dupont, PRENOM=Jean");
}
#[test]
fn signature_after_context_word() {
    check("Rédigé par Paul Girard", "PRENOM=Paul, NOM=Girard");
}
#[test]
fn two_unknown_words_in_capitals_are_a_name() {
    check("Interne : KRAVITZ OKONKWO", "PRENOM=KRAVITZ, NOM=OKONKWO");
}
#[test]
fn a_name_found_once_is_found_again() {
    check(
        "Mme Jeanne DUPONT. Revue ce jour, DUPONT va bien.",
        "PRENOM=Jeanne, NOM=DUPONT, NOM=DUPONT",
    );
}
#[test]
fn spanish_and_english_names() {
    check("Paciente: Juan García", "PRENOM=Juan, NOM=García");
    check(
        "Seen by Dr. Smith and John Miller.",
        "NOM=Smith, PRENOM=John, NOM=Miller",
    );
}
#[test]
fn medical_headings_in_capitals_are_not_names() {
    check("EVOLUTION CLINIQUE\nTRAITEMENT DE SORTIE", "");
}
#[test]
fn a_lone_surname_in_capitals_is_a_name() {
    check(
        "Revu ce jour, KOWALCZYK se plaint de douleurs.",
        "NOM=KOWALCZYK",
    );
}

// Eponyms stay.
#[test]
fn eponym_parkinson() {
    check("Suivi pour une maladie de Parkinson.", "");
}
#[test]
fn eponym_crohn() {
    check("Antécédent de maladie de Crohn.", "");
}
#[test]
fn eponym_alzheimer() {
    check("Maladie d'Alzheimer débutante.", "");
}
#[test]
fn eponym_gougerot_sjogren() {
    check("Syndrome de Gougerot-Sjögren connu.", "");
}
#[test]
fn eponym_murphy_sign() {
    check("Signe de Murphy positif.", "");
}
#[test]
fn eponym_hodgkin() {
    check("Lymphome de Hodgkin traité.", "");
}
#[test]
fn eponym_after_a_title_is_a_person() {
    check("Adressé au Dr Parkinson.", "NOM=Parkinson");
}

// NIR / INS.
#[test]
fn nir_with_spaces() {
    check("NIR 1 37 04 76 243 484 15", "NIR=1 37 04 76 243 484 15");
}
#[test]
fn nir_without_spaces() {
    check("n° 262087503203977 ok", "NIR=262087503203977");
}
#[test]
fn nir_corsica() {
    check("NIR 1 80 05 2A 123 456 84", "NIR=1 80 05 2A 123 456 84");
    check("NIR 2 92 04 2B 555 123 22", "NIR=2 92 04 2B 555 123 22");
}
#[test]
fn nir_key_validation() {
    assert!(esculape_pseudo::nir_is_valid("1 37 04 76 243 484 15"));
    assert!(!esculape_pseudo::nir_is_valid("1 37 04 76 243 484 16"));
    assert!(esculape_pseudo::nir_is_valid("1 80 05 2A 123 456 84"));
    assert!(!esculape_pseudo::nir_is_valid("1 80 05 2B 123 456 84"));
    assert!(esculape_pseudo::nir_is_valid("2 92 04 2B 555 123 22"));
}

// Hospital and professional numbers.
#[test]
fn ipp() {
    check("IPP : 8012939402", "IPP=8012939402");
}
#[test]
fn nda() {
    check("NDA: 1029484", "NDA=1029484");
}
#[test]
fn rpps() {
    check("RPPS 10003456789", "RPPS=10003456789");
}
#[test]
fn adeli() {
    check("ADELI n° 751234567", "ADELI=751234567");
}
#[test]
fn digits_written_one_by_one() {
    check("Réf. 2 8 1 1 2 0 3 2 imprimée", "ID=2 8 1 1 2 0 3 2");
}
#[test]
fn finess() {
    check("FINESS : 750712184", "FINESS=750712184");
}

// Contact and network identifiers.
#[test]
fn french_phone() {
    check("tél 06 12 34 56 78", "TEL=06 12 34 56 78");
    check("standard (33) 1 45 56 78 90", "TEL=(33) 1 45 56 78 90");
    check("appeler le 01.45.67.89.10", "TEL=01.45.67.89.10");
}
#[test]
fn international_phone() {
    check(
        "joindre +33 6 12 34 56 78 ou +1 (212) 555-0199",
        "TEL=+33 6 12 34 56 78, TEL=+1 (212) 555-0199",
    );
}
#[test]
fn email() {
    check(
        "écrire à jeanne.dupont@hopital.fr svp",
        "MAIL=jeanne.dupont@hopital.fr",
    );
}
#[test]
fn url() {
    check(
        "voir https://exemple.org/dossier/12.",
        "URL=https://exemple.org/dossier/12",
    );
}
#[test]
fn ip_address() {
    check("poste 10.2.33.144 et 999.1.1.1", "IP=10.2.33.144");
}
#[test]
fn iban() {
    check(
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "IBAN=FR76 3000 6000 0112 3456 7890 189",
    );
    check("IBAN FR77 3000 6000 0112 3456 7890 189", "");
}

// Places.
#[test]
fn street_address_postcode_and_city() {
    check(
        "Domicile : 12 rue des Lilas, 75013 Paris",
        "ADRESSE=12 rue des Lilas, CODE_POSTAL=75013, VILLE=Paris",
    );
}
#[test]
fn city_after_context() {
    check("Née à Montauban.", "VILLE=Montauban");
}
#[test]
fn hospital() {
    check("Transfert vers l'Hôpital Bichat demain.", "HOPITAL=Bichat");
}

// Dates and ages.
#[test]
fn numeric_dates() {
    check(
        "vu le 03/04/1956 et le 3-4-56",
        "DATE=03/04/1956, DATE=3-4-56",
    );
    check(
        "le 15|10|1960 puis le 04.05.2001",
        "DATE=15|10|1960, DATE=04.05.2001",
    );
}
#[test]
fn textual_dates() {
    check(
        "le 3 avril 1956, le 1er mars et en avril 2019",
        "DATE=3 avril 1956, DATE=1er mars, DATE=avril 2019",
    );
}
#[test]
fn birth_date() {
    check("née le 03/04/1956", "DATE_NAISSANCE=03/04/1956");
}
#[test]
fn ages_over_89_only() {
    check("patiente de 93 ans, son fils de 60 ans", "AGE=93");
}
#[test]
fn empty_input() {
    check("", "");
}
