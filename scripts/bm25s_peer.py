"""The peer of Esculape's BM25: the Python library bm25s, on the same corpus and queries.

Usage: python bm25s_peer.py CORPUS.jsonl QUERIES.jsonl LANGUAGE K
  CORPUS.jsonl   one {"id", "text"} per line
  QUERIES.jsonl  one {"query", "relevant": [ids]} per line
  LANGUAGE       "en" or "fr": stop words and Snowball stemmer (PyStemmer) of that language
Prints one JSON object: index time, query latencies, peak memory, and, when queries carry
relevant ids, nDCG@10, Recall@1/5/10 computed exactly as `esculape eval retrieval` does.
Run by `esculape eval retrieval --peer` and `esculape bench retrieval --peer`.
"""
import json, math, resource, sys, time

import bm25s
import Stemmer

FRENCH_STOPWORDS = [w.strip() for w in open(__file__.rsplit("/", 2)[0] + "/crates/esculape-text/data/stopwords_fr.txt", encoding="utf-8") if w.strip() and not w.startswith("#")]

def main():
    corpus_path, queries_path, language, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ids, texts = [], []
    with open(corpus_path, encoding="utf-8") as corpus:
        for line in corpus:
            row = json.loads(line)
            ids.append(row["id"])
            texts.append(row["text"])
    queries = [json.loads(line) for line in open(queries_path, encoding="utf-8")]
    stemmer = Stemmer.Stemmer("english" if language == "en" else "french")
    stopwords = "en" if language == "en" else FRENCH_STOPWORDS
    started = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords=stopwords, stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    index_s = time.perf_counter() - started
    latencies, ndcg, recall = [], [], {1: [], 5: [], 10: []}
    for query in queries:
        begin = time.perf_counter()
        query_tokens = bm25s.tokenize([query["query"]], stopwords=stopwords, stemmer=stemmer, show_progress=False)
        documents, _ = retriever.retrieve(query_tokens, k=min(k, len(ids)), show_progress=False)
        latencies.append((time.perf_counter() - begin) * 1000)
        ranked = [ids[i] for i in documents[0]]
        relevant = set(query.get("relevant", []))
        if relevant:
            gain = sum(1 / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]) if doc in relevant)
            ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), 10)))
            ndcg.append(gain / ideal)
            for cutoff in recall:
                recall[cutoff].append(len(relevant & set(ranked[:cutoff])) / len(relevant))
    latencies.sort()
    mean = lambda values: sum(values) / len(values) if values else None
    print(json.dumps({
        "peer": "bm25s " + bm25s.__version__,
        "documents": len(ids),
        "queries": len(queries),
        "index_s": index_s,
        "query_p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "query_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ndcg_at_10": mean(ndcg),
        "recall_at_1": mean(recall[1]),
        "recall_at_5": mean(recall[5]),
        "recall_at_10": mean(recall[10]),
    }))

if __name__ == "__main__":
    main()
