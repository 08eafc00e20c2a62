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
fn english_acronyms_in_capitals_are_not_names() {
    // In the English medical vocabulary (MedQuAD), and not in it (the rule for English text).
    check(
        "Does early CABG lower mortality in infants with ADHD treated in the NICU?",
        "",
    );
    check("Is TKA or UKA better for patients with knee arthritis?", "");
}
#[test]
fn an_english_word_in_capitals_after_a_place_preposition_is_a_city() {
    check(
        "The patient grew up in KORVALA and moved away.",
        "VILLE=KORVALA",
    );
}
#[test]
fn english_vocabulary_does_not_hide_a_surname_in_french_text() {
    // "AID" is an English acronym of the vocabulary; in French text it stays a surname.
    check("Revu ce jour, AID se plaint de douleurs.", "NOM=AID");
    check("The AID is given to the patient at home.", "");
}
#[test]
fn gazetteer_words_in_a_title_case_heading_are_not_names() {
    // "Bone" and "Faith" are gazetteer names; in a title-case line capitals say nothing.
    check(
        "Does Early Bone Loss Predict Fracture Risk and Faith in Treatment?",
        "",
    );
    // Outside such a line the lone gazetteer name is still found.
    check("Seen today with Bone, who reports pain.", "NOM=Bone");
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
#[test]
fn fifteen_digits_without_a_key_inside_a_row_of_measures_are_no_nir() {
    // A mistyped NIR (wrong key) alone is still masked, in any grouping…
    check("NIR 137 047 624 348 416", "NIR=137 047 624 348 416");
    // …but not the same digits in the middle of a row of numbers.
    let row = "mesures 12 137 047 624 348 416 3 9";
    assert!(
        !super::findings(row).contains("NIR="),
        "{}",
        super::findings(row)
    );
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
    check("Réf. 2 8 1 3 2 0 3 2 imprimée", "ID=2 8 1 3 2 0 3 2");
    // Eight digits that make a day, month and year are a date.
    check("Réf. 2 8 1 1 2 0 3 2 imprimée", "DATE=2 8 1 1 2 0 3 2");
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
#[test]
fn dates_written_in_words() {
    check(
        "imprimé le vingt quatre aout deux mille dix-sept à 15:03",
        "DATE=vingt quatre aout deux mille dix-sept",
    );
    check(
        "Jeudi dix-sept Octobre deux mille dix huit",
        "DATE=Jeudi dix-sept Octobre deux mille dix huit",
    );
    check(
        "né le quinze septembre mille neuf cent soixante-cinq.",
        "DATE_NAISSANCE=quinze septembre mille neuf cent soixante-cinq",
    );
    check("relevé le vingt-six 02 2012", "DATE=vingt-six 02 2012");
    // "vingt sept" is a number, and a month alone is no date.
    check("vingt sept patients en mai", "");
}
#[test]
fn date_ranges_mask_both_ends() {
    check("du 18 au 29/03/2020", "DATE=18, DATE=29/03/2020");
    check("les 18 et 19/01/2018", "DATE=18, DATE=19/01/2018");
    check("autour du 08-09/08/07", "DATE=08, DATE=09/08/07");
    check("de mai à juin 2029", "DATE=mai, DATE=juin 2029");
    check("jusqu'en mars-avril 2005", "DATE=mars, DATE=avril 2005");
    // "Phase 4 - 22/05/2015": a numbered item, not a range.
    check("Phase 4 - 22/05/2015", "DATE=22/05/2015");
}
#[test]
fn compact_and_glued_dates() {
    check("le 23022018, reprise", "DATE=23022018");
    check("depuis le 211017, en EHPAD", "DATE=211017");
    check(
        "rdv le 05nov. puis le 01sep2018",
        "DATE=05nov, DATE=01sep2018",
    );
    check("- dec1993 ablation", "DATE=dec1993");
    check("12/12/2012RAPPORT HOLTER", "DATE=12/12/2012");
    // Eight digits that make no date stay an identifier.
    check("n° 45839921", "ID=45839921");
}
#[test]
fn days_and_months_without_year() {
    check("C4 16/09 C5 28.09", "DATE=16/09, DATE=28.09");
    check("le 3/9 puis C3 2/8", "DATE=3/9, DATE=2/8");
    // Decimals, doses and fractions are no dates.
    check("2.5 mg, 1/2 cp, 12.50 mg, 3/4", "");
}
#[test]
fn years_alone_in_a_history() {
    check(
        "- 1981 hystérectomie - 1968-1970: corticothérapie (2021)",
        "DATE=1981, DATE=1968, DATE=1970, DATE=2021",
    );
    // Quantities and references are not years.
    check("2000 mg par jour, décret n°2013-1066", "");
}
#[test]
fn birth_dates_from_layout() {
    check(
        "GRIGOT THIERRY | H | 22/01/1965 (27 ans)",
        "NOM=GRIGOT, PRENOM=THIERRY, DATE_NAISSANCE=22/01/1965",
    );
}
#[test]
fn digits_one_by_one_cut_into_date_nir_and_birth_date() {
    // A flattened row: prescription date, NIR without its key, birth date.
    check(
        "1 5 0 3 2 0 2 4 4 5 2 4 3 7 4 4 7 4 3 9 9 1 5 0 3 1 9 8 5",
        "DATE=1 5 0 3 2 0 2 4, NIR=4 5 2 4 3 7 4 4 7 4 3 9 9, DATE_NAISSANCE=1 5 0 3 1 9 8 5",
    );
}
#[test]
fn initials_before_a_name() {
    check(
        "C. Carlizian D. DEMOUCHET P-A. POULMANI",
        "PRENOM=C., NOM=Carlizian, PRENOM=D., NOM=DEMOUCHET, PRENOM=P-A., NOM=POULMANI",
    );
    check("Z.Phillot (Interne)", "PRENOM=Z., NOM=Phillot");
    // A letter after a word is no initial of a name.
    check("vitamine D. Le patient va bien.", "");
}
#[test]
fn drugs_and_hospital_acronyms_in_capitals_are_not_names() {
    check("ETANERCEPT 20 mg SOL INJ (ENBREL*) au CHU", "");
    check("IONOGRAMME et BILIRUBINE réalisés, MCU-PH, AP-HP", "");
}
#[test]
fn street_postcode_and_city_are_separate_findings() {
    check(
        "au 12 RUE DU DOCTEUR GACHET 92300 CERGY-PERRET",
        "ADRESSE=12 RUE DU DOCTEUR GACHET, CODE_POSTAL=92300, VILLE=CERGY-PERRET",
    );
    check(
        "habite à Marseille, 13006.",
        "VILLE=Marseille, CODE_POSTAL=13006",
    );
}
#[test]
fn cities_from_geonames() {
    check("Service RXRAY à Bordeaux", "NOM=RXRAY, VILLE=Bordeaux");
}
#[test]
fn hospital_names_keep_their_article() {
    check("vue à l'Hôpital la Timone", "HOPITAL=la Timone");
    check("admise à la clinique Val d'Ouest", "HOPITAL=Val d'Ouest");
}
#[test]
fn a_region_that_is_a_common_word_is_no_place() {
    check("Centre de Santé, Réunion du staff", "");
}
#[test]
fn initial_m_after_a_medical_title() {
    check(
        "Dr M. LEROY et Pr M Petit",
        "PRENOM=M., NOM=LEROY, PRENOM=M, NOM=Petit",
    );
}
#[test]
fn particles_in_capitals_belong_to_the_surname() {
    check(
        "Dr Z. AL BAHIRT, DE LUCA Roberta",
        "PRENOM=Z., NOM=AL BAHIRT, NOM=DE LUCA, PRENOM=Roberta",
    );
}
#[test]
fn a_common_word_after_title_and_first_name_is_the_surname() {
    check("Dr Myriam Bureau", "PRENOM=Myriam, NOM=Bureau");
    check(
        "avec Jean-Luc Martin du service",
        "PRENOM=Jean-Luc, NOM=Martin",
    );
}
#[test]
fn form_fields_take_names_in_lower_case() {
    check("Prénom: aziz\nNom : rhifda", "PRENOM=aziz, NOM=rhifda");
}
#[test]
fn french_first_names_beyond_the_faker_lists() {
    check("réunie en staff : Rémi Foliet", "PRENOM=Rémi, NOM=Foliet");
}
#[test]
fn adjacent_names_of_one_kind_are_one_finding() {
    check(
        "Mme Marie Genevieve HUMBLE",
        "PRENOM=Marie Genevieve, NOM=HUMBLE",
    );
}
#[test]
fn a_word_only_ever_a_first_name_settles_the_order() {
    check(
        "rendez-vous donné à Mme Dufour Elodie",
        "NOM=Dufour, PRENOM=Elodie",
    );
}
#[test]
fn spanish_identifiers_phones_and_dates() {
    check("NºCol: 28 28 70973.", "ID=28 28 70973");
    check("Episodio: 3629184.", "ID=3629184");
    check(
        "Tfno: 956 203 145 y 630 75 89 15",
        "TEL=956 203 145, TEL=630 75 89 15",
    );
    check(
        "Fecha de Ingreso: 13-noviembre-2017.",
        "DATE=13-noviembre-2017",
    );
}
#[test]
fn phones_typed_loosely() {
    check(
        "Dr T. SANDRAVI O1.42.16.10.02",
        "PRENOM=T., NOM=SANDRAVI, TEL=O1.42.16.10.02",
    );
    check("mobile est le06.98.43.40.20.", "TEL=06.98.43.40.20");
    check("Tel : (33) 01-32-39-28-25", "TEL=(33) 01-32-39-28-25");
    check(
        "Dr A. Anan 06/28/42/50/36",
        "PRENOM=A., NOM=Anan, TEL=06/28/42/50/36",
    );
}
#[test]
fn emails_typed_loosely() {
    check(
        "écrire à tlabelle @ medimail . com",
        "MAIL=tlabelle @ medimail . com",
    );
    check(
        "par mail secrétariat.onco@avicenne.aphp.fr.",
        "MAIL=secrétariat.onco@avicenne.aphp.fr",
    );
}
#[test]
fn a_table_of_measures_is_no_nir() {
    check("(1)13:42 93 2930 293 39 102 102 03 039 02 3920", "");
}
#[test]
fn fifteen_digits_grouped_oddly_are_still_a_nir() {
    check(
        "Code de l'Assurance Maladie : 2 127647 86182741.",
        "NIR=2 127647 86182741",
    );
}
#[test]
fn a_word_in_capitals_after_an_initial_is_a_surname_even_if_common() {
    check(
        "Dr L. MARTEAU et B. SPIRE",
        "PRENOM=L., NOM=MARTEAU, PRENOM=B., NOM=SPIRE",
    );
}
#[test]
fn two_first_names_of_the_lists_are_a_name() {
    check(
        "Partenaires : Giuseppe Vincenzo dans",
        "PRENOM=Giuseppe, NOM=Vincenzo",
    );
}
#[test]
fn a_common_word_after_a_first_name_ends_an_entry_of_a_list() {
    check("Secrétariat\nMarie Côte\nTel", "PRENOM=Marie, NOM=Côte");
    // In running text the same words are left alone.
    check("avec Elodie Bonheur de la commune", "PRENOM=Elodie");
}
#[test]
fn a_kind_of_institution_in_several_words_is_part_of_its_name() {
    check(
        "au Centre Hospitalier de Beauvais pour",
        "HOPITAL=Centre Hospitalier de Beauvais",
    );
    check(
        "Hôpital européen Georges-Pompidou.",
        "HOPITAL=Georges-Pompidou",
    );
    check("du HOP Avicenne, transmis", "HOPITAL=Avicenne");
}
#[test]
fn a_city_that_is_a_common_word_elsewhere_is_still_a_city() {
    // "paris" and "nice" are words of other languages, not of French clinical text.
    check("au nord de Paris, puis à Nice", "VILLE=Paris, VILLE=Nice");
}
#[test]
fn a_postcode_after_a_street_without_city() {
    check(
        "est à 7 rue Blaise Pascal 65000 dans la périphérie",
        "ADRESSE=7 rue Blaise Pascal, CODE_POSTAL=65000",
    );
}
#[test]
fn names_listed_after_a_role_and_a_colon_in_any_case() {
    check(
        "Infirmières : juliette moreau, anne sophie garnier\nSuite",
        "PRENOM=juliette, NOM=moreau, PRENOM=anne sophie, NOM=garnier",
    );
    check(
        "Psychologue : Gaëlle Tessier, Bruno Lemaire et Odile Carpentier",
        "PRENOM=Gaëlle, NOM=Tessier, PRENOM=Bruno, NOM=Lemaire, PRENOM=Odile, NOM=Carpentier",
    );
    // One lower-case word is no name ("Patient : stable").
    check("Patient : stable ce jour", "");
    // Without a colon, lower-case words after the role stay.
    check("vu par l'infirmière moreau ce matin", "");
}
#[test]
fn french_digraph_initials() {
    check(
        "Ph. ROUSSEL et Th. Garnier",
        "PRENOM=Ph., NOM=ROUSSEL, PRENOM=Th., NOM=Garnier",
    );
}
#[test]
fn an_initial_ending_a_line_of_a_list_goes_with_the_next_name() {
    check(
        "B. Lemaire, C.\nTessier, D. Roussel",
        "PRENOM=B., NOM=Lemaire, PRENOM=C., NOM=Tessier, PRENOM=D., NOM=Roussel",
    );
    // A building letter at the end of an address line is no initial.
    check(
        "Calle Mayor 4, 3, B.\nLocalidad: Soria",
        "ADRESSE=Calle Mayor 4, 3, VILLE=Soria",
    );
}
#[test]
fn a_degree_sign_after_a_letter_is_no_name() {
    check(
        "Dr Gaëlle Tessier N° RPPS 10001234567",
        "PRENOM=Gaëlle, NOM=Tessier, RPPS=10001234567",
    );
}
#[test]
fn a_name_completed_by_its_neighbours() {
    // An unknown capitalised word before a surname in capitals, in a list.
    check(
        "ROUSSEL, Quirinus LEMAIRE",
        "NOM=ROUSSEL, PRENOM=Quirinus, NOM=LEMAIRE",
    );
    // Not at the start of a sentence.
    check("stable. Quirinus LEMAIRE", "NOM=LEMAIRE");
    // A first name kept as an eponym is a first name before a surname found.
    check(
        "Paul Tessier et son frère Louis Tessier",
        "PRENOM=Paul, NOM=Tessier, PRENOM=Louis, NOM=Tessier",
    );
    // A gazetteer name in lower case after a name.
    check(
        "GARNIER juliette, vue ce jour",
        "NOM=GARNIER, PRENOM=juliette",
    );
    check(
        "avec le Dr Juliette roussel demain",
        "PRENOM=Juliette, NOM=roussel",
    );
}
#[test]
fn a_chef_de_clinique_is_a_rank_not_a_hospital() {
    check(
        "Chef de Clinique Assistant Dr Bruno Lemaire",
        "PRENOM=Bruno, NOM=Lemaire",
    );
}
#[test]
fn a_postcode_in_two_groups_before_a_city() {
    check(
        "domicile : 33 RUE DES LILAS, 69 003 LYON",
        "ADRESSE=33 RUE DES LILAS, CODE_POSTAL=69 003, VILLE=LYON",
    );
    // A row of numbers is no postcode.
    check("valeurs 12 345 67 89", "");
}
