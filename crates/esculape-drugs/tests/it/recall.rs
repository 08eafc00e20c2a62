//! Recall on a test set generated from the thesaurus itself: every published entry, with
//! each class replaced by every substance the index puts in it, must come out of a check
//! of the two substances, at a level no lower than the entry's most severe one.

use crate::{shared_data, thesaurus};
use esculape_drugs::{PrescriptionLine, name_key};
use std::collections::{BTreeSet, HashMap};

#[test]
fn every_thesaurus_entry_is_found_for_every_substance_pair_it_covers() {
    let (Some(data), Some(thesaurus)) = (shared_data(), thesaurus()) else {
        return;
    };
    let folder = data.join("drugs/ansm-thesaurus/2020_01");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(folder.join(name)).expect("read"))
            .expect("json")
    };
    let entries =
        read("thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json");
    let index = read("index-des-substances-20102020.json");
    // Class → its substances, and the substances, straight from the index file.
    let mut members: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut substances: BTreeSet<String> = BTreeSet::new();
    for row in index.as_array().expect("index list") {
        let substance = row["substance"].as_str().expect("substance").to_string();
        substances.insert(name_key(&substance));
        for class in row["drug_classes"].as_array().expect("classes") {
            members
                .entry(name_key(class.as_str().expect("class")))
                .or_default()
                .insert(substance.clone());
        }
    }
    let concrete = |name: &str| -> Vec<String> {
        let key = name_key(name);
        let mut names: Vec<String> = members.get(&key).into_iter().flatten().cloned().collect();
        if substances.contains(&key) || names.is_empty() {
            names.push(name.to_string());
        }
        names
    };
    let severity = |level: &str| match name_key(level).as_str() {
        "contre-indication" => 3,
        "association deconseillee" => 2,
        "precaution d'emploi" => 1,
        _ => 0,
    };
    let line = |name: &str| PrescriptionLine {
        label: name.to_string(),
        substances: vec![name.to_string()],
        dose: None,
    };
    let (mut pairs, mut missed) = (0usize, Vec::new());
    let published = entries.as_array().expect("entries");
    for entry in published {
        let main = entry["main_drug"].as_str().expect("main_drug");
        let plus = entry["plus_drug"].as_str().expect("plus_drug");
        let wanted = [
            format!("{} + {}", main.trim(), plus.trim()),
            format!("{} + {}", plus.trim(), main.trim()),
        ];
        let most_severe = entry["severity_levels"]
            .as_array()
            .expect("levels")
            .iter()
            .map(|level| severity(level["level"].as_str().expect("level")))
            .max()
            .expect("one level");
        for first in concrete(main) {
            for second in concrete(plus) {
                if name_key(&first) == name_key(&second) {
                    continue;
                }
                pairs += 1;
                let report = thesaurus.check(&[line(&first), line(&second)]);
                let found = report.alerts.iter().any(|alert| {
                    alert
                        .reasons
                        .iter()
                        .any(|reason| wanted.contains(&reason.entry))
                        && severity_of(alert.level) >= most_severe
                });
                if !found {
                    missed.push(format!("{first} + {second} ({main} + {plus})"));
                }
            }
        }
    }
    eprintln!(
        "thesaurus recall: {} of {pairs} substance pairs from {} published entries",
        pairs - missed.len(),
        published.len()
    );
    assert!(pairs > 50_000, "{pairs} pairs only");
    assert!(
        missed.is_empty(),
        "{} missed, first: {:?}",
        missed.len(),
        &missed[..missed.len().min(20)]
    );
}

fn severity_of(level: esculape_drugs::Level) -> u8 {
    match level {
        esculape_drugs::Level::ContreIndication => 3,
        esculape_drugs::Level::AssociationDeconseillee => 2,
        esculape_drugs::Level::PrecautionEmploi => 1,
        esculape_drugs::Level::APrendreEnCompte => 0,
    }
}
