//! `esculape score`: clinical calculators from `esculape-scores`, with flags generated from
//! each calculator's declared inputs.

use anyhow::{Result, bail};
use clap::Args;
use esculape_scores::{Calculator, InputKind, Outcome, Unit, calculator, calculators};

const CONVENTION: &str = "\
Inputs are flags generated from the calculator's declared inputs:
  yes/no findings are bare flags          --hypertension --diabetes
  choices take one of the listed ids      --sex F   --ascites mild
  measurements take the value and unit    --creatinine 90umol/L   --creatinine 1.02mg/dL
                                          (a space before the unit is accepted: --weight 70 kg)
A unit is required whenever an input accepts several units that give different numbers
(creatinine, weight, height, albumin, bilirubin, calcium, QT); it may be left out when there
is only one (age in years, blood pressure in mmHg) or when they coincide (mmol/L = mEq/L).
A decimal comma is accepted (1,02mg/dL). Values outside the plausible range are refused.

Examples:
  esculape score --list
  esculape score cha2ds2-vasc --help
  esculape score cha2ds2-vasc --age 72 --sex F --hypertension --diabetes --json
  esculape score ckd-epi --age 60 --sex M --creatinine 115umol/L";

/// Compute a clinical score; `esculape score --list` shows the calculators.
#[derive(Debug, Args)]
#[command(disable_help_flag = true, after_long_help = CONVENTION, after_help = CONVENTION)]
pub struct ScoreArgs {
    /// List the calculators: id, name, what each estimates.
    #[arg(long)]
    list: bool,
    /// Print help (with ID: that calculator's inputs, units, ranges and reference).
    #[arg(short = 'h', long)]
    help: bool,
    /// Calculator id, as `--list` prints it (ckd-epi, cha2ds2-vasc, news2…).
    #[arg(value_name = "ID")]
    id: Option<String>,
    /// The calculator's inputs (--age 72 --sex F --hypertension…) and --json.
    #[arg(
        value_name = "INPUTS",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..
    )]
    inputs: Vec<String>,
}

pub fn score(args: ScoreArgs) -> Result<()> {
    if args.list {
        print_list();
        return Ok(());
    }
    let wants_help = args.help
        || args
            .inputs
            .iter()
            .any(|input| input == "--help" || input == "-h");
    let Some(id) = args.id else {
        print_command_help()?;
        return Ok(());
    };
    let calculator = calculator(&id)?;
    if wants_help {
        print_calculator_help(calculator);
        return Ok(());
    }
    let (pairs, json) = parse_inputs(calculator, &args.inputs)?;
    let borrowed: Vec<(&str, Option<&str>)> = pairs
        .iter()
        .map(|(id, value)| (id.as_str(), value.as_deref()))
        .collect();
    let outcome = calculator.evaluate_text(&borrowed).map_err(|error| {
        anyhow::anyhow!(
            "impossible de calculer « {id} » : {}\n(cannot compute `{id}`: {error})",
            error.message_fr(),
            id = calculator.id
        )
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        print_outcome(&outcome);
    }
    Ok(())
}

/// An input id and the text given for it (`None` for a bare flag).
type InputText = (String, Option<String>);

/// Reads `--name value`, `--name=value`, bare flags and `--json` against the calculator's
/// declared inputs. Returns (input id, text) pairs and whether JSON was asked for.
fn parse_inputs(calculator: &Calculator, arguments: &[String]) -> Result<(Vec<InputText>, bool)> {
    let mut pairs = Vec::new();
    let mut json = false;
    let mut index = 0;
    while index < arguments.len() {
        let argument = &arguments[index];
        index += 1;
        if argument == "--json" {
            json = true;
            continue;
        }
        let Some(flag) = argument.strip_prefix("--") else {
            bail!(
                "unexpected argument `{argument}` for `{}`: inputs are flags such as --{} VALUE (see `esculape score {} --help`)",
                calculator.id,
                calculator.inputs[0].id,
                calculator.id
            );
        };
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (flag, None),
        };
        let Some(input) = calculator.inputs.iter().find(|input| input.id == name) else {
            bail!(
                "unknown flag `--{name}` for `{}`; valid flags: {}, --json (see `esculape score {} --help`)",
                calculator.id,
                calculator
                    .inputs
                    .iter()
                    .map(|input| format!("--{}", input.id))
                    .collect::<Vec<_>>()
                    .join(", "),
                calculator.id
            );
        };
        let value = match (input.kind, inline_value) {
            (_, Some(value)) => Some(value),
            (InputKind::Flag, None) => None,
            (kind, None) => {
                let Some(value) = arguments.get(index).filter(|next| !next.starts_with("--"))
                else {
                    bail!(
                        "flag `--{name}` needs a value (see `esculape score {} --help`)",
                        calculator.id
                    );
                };
                index += 1;
                let mut value = value.clone();
                // `--weight 70 kg`: take a separate unit token.
                if matches!(kind, InputKind::Number { .. })
                    && value.chars().all(|character| {
                        character.is_ascii_digit() || character == '.' || character == ','
                    })
                    && let Some(unit) = arguments
                        .get(index)
                        .filter(|next| Unit::parse(next).is_some())
                {
                    value.push_str(unit);
                    index += 1;
                }
                Some(value)
            }
        };
        pairs.push((input.id.to_string(), value));
    }
    Ok((pairs, json))
}

fn print_list() {
    println!("{:<18} {:<44} ESTIME", "ID", "NOM");
    for calculator in calculators() {
        println!(
            "{:<18} {:<44} {}",
            calculator.id, calculator.name_fr, calculator.estimates_fr
        );
    }
    println!();
    println!("Détail d'un calcul : esculape score ID --help");
}

fn print_command_help() -> Result<()> {
    let command = ScoreArgs::augment_args(clap::Command::new("esculape score"));
    let mut command =
        command.about("Compute a clinical score; `esculape score --list` shows the calculators.");
    command.print_long_help()?;
    Ok(())
}

fn print_calculator_help(calculator: &Calculator) {
    println!("{} — {}", calculator.name_fr, calculator.estimates_fr);
    println!("{} — {}", calculator.name_en, calculator.estimates_en);
    println!();
    println!(
        "Usage : esculape score {} [ENTRÉES] [--json]",
        calculator.id
    );
    println!();
    println!("Entrées :");
    for input in calculator.inputs {
        match input.kind {
            InputKind::Flag => println!("  --{:<20} {} (oui si présent)", input.id, input.label_fr),
            InputKind::Choice { choices } => {
                let options = choices
                    .iter()
                    .map(|choice| format!("{} = {}", choice.id, choice.label_fr))
                    .collect::<Vec<_>>()
                    .join(" ; ");
                println!(
                    "  --{:<20} {} : {options}",
                    format!("{} ID", input.id),
                    input.label_fr
                );
            }
            InputKind::Number {
                quantity,
                unit,
                accepted_units,
                min,
                max,
            } => {
                let units = accepted_units
                    .iter()
                    .map(|accepted| accepted.ascii())
                    .collect::<Vec<_>>()
                    .join(", ");
                let range: Vec<String> = accepted_units
                    .iter()
                    .map(|accepted| {
                        format!(
                            "{}–{} {}",
                            esculape_scores::format_number(
                                quantity.convert(min, unit, *accepted),
                                2
                            ),
                            esculape_scores::format_number(
                                quantity.convert(max, unit, *accepted),
                                2
                            ),
                            accepted.symbol()
                        )
                    })
                    .collect();
                println!(
                    "  --{:<20} {} [unités : {units}] plage admise : {}",
                    format!("{} VALEUR", input.id),
                    input.label_fr,
                    range.join(" = ")
                );
            }
        }
    }
    println!("  --{:<20} sortie JSON", "json");
    println!();
    print_bands(calculator.bands, calculator.bands_source);
    println!("Référence : {}", reference_text(&calculator.reference));
    println!("Limites : {}", calculator.caveat_fr);
}

fn print_bands(bands: &[esculape_scores::Band], source: Option<&str>) {
    if bands.is_empty() {
        println!("Interprétation : la référence ne donne pas de bandes d'interprétation.");
    } else {
        println!("Interprétation :");
        for band in bands {
            println!("  {:<26} {}", band.range, band.label_fr);
        }
    }
    if let Some(source) = source {
        println!("  (bandes : {source})");
    }
}

fn reference_text(reference: &esculape_scores::Reference) -> String {
    let mut text = format!(
        "{}. {}. {}.",
        reference.authors.trim_end_matches('.'),
        reference.title,
        reference.journal
    );
    if let Some(doi) = reference.doi {
        text.push_str(&format!(" doi:{doi}."));
    }
    if let Some(pmid) = reference.pmid {
        text.push_str(&format!(" PMID {pmid}."));
    }
    text
}

fn print_outcome(outcome: &Outcome) {
    println!(
        "{} — résultat : {} {}",
        outcome.name_fr,
        outcome.value_text(),
        outcome.unit_text(false)
    );
    match &outcome.band {
        Some(band) => println!("Interprétation : {} ({})", band.label_fr, band.range),
        None => println!("Interprétation : la référence ne donne pas de bandes d'interprétation."),
    }
    println!();
    println!("Données utilisées :");
    for input in &outcome.inputs {
        let given = input
            .given
            .as_deref()
            .map(|given| format!(" (saisi : {given})"))
            .unwrap_or_default();
        println!("  {:<60} {}{given}", input.label_fr, input.value.text_fr());
    }
    println!();
    print_bands(outcome.bands, outcome.bands_source);
    println!("Référence : {}", reference_text(&outcome.reference));
    println!(
        "Vérifiée sur : {}",
        outcome.reference.checked_at.join(" ; ")
    );
    println!("Limites : {}", outcome.caveat_fr);
    println!();
    println!(
        "Ce résultat est une aide au calcul : il ne remplace pas le jugement clinique, et le clinicien reste responsable de la décision."
    );
}
