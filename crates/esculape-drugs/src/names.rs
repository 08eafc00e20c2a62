//! Name keys: how BDPM substance names, thesaurus names and typed text meet.
//!
//! The thesaurus writes "ACIDE ACETYLSALICYLIQUE" and "ANTI-INFLAMMATOIRES NON STÉROÏDIENS",
//! its index "acide acetylsalicylique" and, after a PDF line break, "bêta- bloquants"; the
//! BDPM writes "ACIDE ACÉTYLSALICYLIQUE", "RANITIDINE (CHLORHYDRATE DE)" or "BÉSILATE
//! D'AMLODIPINE". A key folds case and accents, rejoins hyphenated words and collapses
//! white space; bridging also drops the salt, ester and hydrate words of a BDPM name.

/// The key of a name: folded, hyphen breaks rejoined, white space collapsed.
pub fn name_key(name: &str) -> String {
    let folded = esculape_text::fold(name);
    let mut key = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !key.is_empty() && !key.ends_with('-') {
            key.push(' ');
        }
        // "bêta- bloquants": a hyphen at the end of a word joins it to the next one.
        key.push_str(word);
    }
    key
}

/// Salt, ester and hydrate words of BDPM substance names, read off the names of
/// `CIS_COMPO_bdpm.txt` (BDPM 2021-01) that the thesaurus index did not match as written
/// ("CHLORHYDRATE DE TRAMADOL", "LOSARTAN POTASSIQUE", "AMOXICILLINE TRIHYDRATÉE").
/// Chemical nomenclature, not medical content: dropping them leaves the active moiety.
const SALT_WORDS: &[&str] = &[
    "acetate",
    "anhydre",
    "arginine",
    "axetil",
    "base",
    "besilate",
    "bromhydrate",
    "calcique",
    "chlorhydrate",
    "citrate",
    "dichlorhydrate",
    "digluconate",
    "dihydrate",
    "dihydratee",
    "dipropionate",
    "disodique",
    "erbumine",
    "fumarate",
    "gluconate",
    "hemifumarate",
    "hemihydrate",
    "hemihydratee",
    "hexahydrate",
    "hydrogenotartrate",
    "lactate",
    "magnesique",
    "maleate",
    "medoxomil",
    "mesilate",
    "monohydrate",
    "monohydratee",
    "nitrate",
    "oxalate",
    "pentahydrate",
    "pentahydratee",
    "phosphate",
    "potassique",
    "propionate",
    "proxetil",
    "sesquihydrate",
    "sodique",
    "succinate",
    "sulfate",
    "tartrate",
    "tert-butylamine",
    "trihydrate",
    "trihydratee",
];

/// Keys to try, in order, for a BDPM substance name: as written, without its
/// parenthesised parts ("RANITIDINE (CHLORHYDRATE DE)"), without salt and hydrate words.
pub fn bridge_keys(name: &str) -> Vec<String> {
    let exact = name_key(name);
    let mut keys = vec![exact.clone()];
    let without_parentheses = name_key(&strip_parentheses(&exact));
    push_new(&mut keys, without_parentheses.clone());
    push_new(&mut keys, strip_salt_words(&without_parentheses));
    keys
}

fn push_new(keys: &mut Vec<String>, key: String) {
    if !key.is_empty() && !keys.contains(&key) {
        keys.push(key);
    }
}

fn strip_parentheses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for character in text.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(character),
            _ => {}
        }
    }
    out
}

fn strip_salt_words(key: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut after_salt = false;
    for word in key.split(' ') {
        if SALT_WORDS.contains(&word) {
            after_salt = true;
            continue;
        }
        // "chlorhydrate de tramadol", "bésilate d'amlodipine": the moiety follows.
        if after_salt && word == "de" {
            continue;
        }
        let word = if after_salt {
            word.strip_prefix("d'").unwrap_or(word)
        } else {
            word
        };
        after_salt = false;
        kept.push(word);
    }
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::{bridge_keys, name_key};

    #[test]
    fn keys_fold_and_rejoin_hyphen_breaks() {
        assert_eq!(
            name_key("ANTI-INFLAMMATOIRES NON STÉROÏDIENS"),
            "anti-inflammatoires non steroidiens"
        );
        assert_eq!(
            name_key("bêta- bloquants  (y compris collyres)"),
            "beta-bloquants (y compris collyres)"
        );
        assert_eq!(
            name_key("ACIDE ACÉTYLSALICYLIQUE"),
            name_key("acide acetylsalicylique")
        );
    }

    #[test]
    fn bridge_drops_salts_and_hydrates() {
        let check = |name: &str, expect: &str| {
            let keys = bridge_keys(name);
            assert!(keys.iter().any(|key| key == expect), "{name}: {keys:?}");
        };
        check("RANITIDINE (CHLORHYDRATE DE)", "ranitidine");
        check("CHLORHYDRATE DE TRAMADOL", "tramadol");
        check("BÉSILATE D'AMLODIPINE", "amlodipine");
        check("CHLORHYDRATE D'OXYCODONE", "oxycodone");
        check("AMOXICILLINE TRIHYDRATÉE", "amoxicilline");
        check("LOSARTAN POTASSIQUE", "losartan");
        check("ATORVASTATINE CALCIQUE TRIHYDRATÉE", "atorvastatine");
    }
}
