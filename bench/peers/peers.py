#!/usr/bin/env python3
"""Peer baselines for the intent matcher, on the same JSONL files.

    bench/peers/setup.sh          # once: creates bench/peers/.venv
    bench/peers/.venv/bin/python bench/peers/peers.py \
        --train ../shared/eval/public/clinc150/train.jsonl \
        --test ../shared/eval/public/clinc150/test.jsonl

Peers: scikit-learn TF-IDF over character n-grams (char_wb, 2-5, sublinear)
+ LinearSVC (C=1), and fastText supervised (word bigrams, subwords 2-5,
25 epochs, one thread). Chinese is split into characters for fastText.
`--task anger` learns the `angry` label instead of `intent`.
Prints accuracy (in-scope accuracy and out_of_scope recall when the test
set has out_of_scope labels, out_of_scope being one more class), anger
P/R/F1, and messages/s one message per call (the way a chat bot calls it).
Read-only on the data; writes only a temporary fastText training file.
"""

import argparse
import json
import os
import re
import tempfile
import time

CJK = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")


def load(path, task):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            label = e.get("intent") if task == "intent" else e.get("angry")
            if label is None:
                continue
            rows.append((e["text"], str(label)))
    return rows


def ft_text(text):
    return " ".join(CJK.sub(r" \1 ", text.lower()).split())


def score(task, gold, pred):
    out = {"n": len(gold)}
    if task == "intent":
        out["accuracy"] = sum(g == p for g, p in zip(gold, pred)) / len(gold)
        ins = [(g, p) for g, p in zip(gold, pred) if g != "out_of_scope"]
        oos = [(g, p) for g, p in zip(gold, pred) if g == "out_of_scope"]
        out["in_scope_accuracy"] = sum(g == p for g, p in ins) / max(len(ins), 1)
        if oos:
            out["out_of_scope_recall"] = sum(g == p for g, p in oos) / len(oos)
    else:
        tp = sum(g == "True" and p == "True" for g, p in zip(gold, pred))
        fp = sum(g != "True" and p == "True" for g, p in zip(gold, pred))
        fn = sum(g == "True" and p != "True" for g, p in zip(gold, pred))
        prec = tp / max(tp + fp, 1)
        rec = tp / max(tp + fn, 1)
        out.update(precision=prec, recall=rec, f1=2 * prec * rec / max(prec + rec, 1e-12))
    return out


def per_message(predict_one, texts):
    start = time.perf_counter()
    pred = [predict_one(t) for t in texts]
    return pred, len(texts) / (time.perf_counter() - start)


def run_sklearn(train, tests, task):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True),
        LinearSVC(C=1.0, class_weight="balanced" if task == "anger" else None),
    )
    t0 = time.perf_counter()
    model.fit([t for t, _ in train], [l for _, l in train])
    fit_s = time.perf_counter() - t0
    for name, test in tests:
        texts = [t for t, _ in test]
        pred, rate = per_message(lambda t: model.predict([t])[0], texts)
        t0 = time.perf_counter()
        model.predict(texts)
        batch_rate = len(texts) / (time.perf_counter() - t0)
        yield dict(peer="tfidf_char+linearsvc", test=name, train_s=round(fit_s, 2),
                   msg_per_s=round(rate), batch_msg_per_s=round(batch_rate),
                   **score(task, [l for _, l in test], pred))


def run_fasttext(train, tests, task):
    import fasttext

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for text, label in train:
            f.write(f"__label__{label} {ft_text(text)}\n")
        path = f.name
    try:
        t0 = time.perf_counter()
        model = fasttext.train_supervised(
            input=path, epoch=25, lr=0.5, wordNgrams=2, minn=2, maxn=5, dim=100,
            thread=1, verbose=0,
        )
        fit_s = time.perf_counter() - t0
    finally:
        os.unlink(path)
    for name, test in tests:
        texts = [ft_text(t) for t, _ in test]
        pred, rate = per_message(lambda t: model.predict(t)[0][0][len("__label__"):], texts)
        yield dict(peer="fasttext", test=name, train_s=round(fit_s, 2), msg_per_s=round(rate),
                   **score(task, [l for _, l in test], pred))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", action="append", required=True)
    ap.add_argument("--task", choices=["intent", "anger"], default="intent")
    ap.add_argument("--peer", choices=["all", "sklearn", "fasttext"], default="all")
    args = ap.parse_args()
    train = load(args.train, args.task)
    tests = [(os.path.relpath(p), load(p, args.task)) for p in args.test]
    runs = []
    if args.peer in ("all", "sklearn"):
        runs.append(run_sklearn(train, tests, args.task))
    if args.peer in ("all", "fasttext"):
        runs.append(run_fasttext(train, tests, args.task))
    for run in runs:
        for result in run:
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}),
                  flush=True)


if __name__ == "__main__":
    main()
