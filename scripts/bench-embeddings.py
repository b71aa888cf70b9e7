#!/usr/bin/env python3
"""The reference for the embedding benchmark: ONNX Runtime's Python API and Hugging Face
tokenizers running the model that Lucidity runs in-process (crate lucidity-embed), the same way:
the same model folder, truncation at 256 word pieces, texts sorted by length and padded per
batch, the same batch size and thread count, one untimed warm-up on the first 64 texts, and the
median of several timed passes. Prints progress on stderr and one JSON object as its last line.

Run it with the interpreter of the environment scripts/lib/install-bench.sh makes:
    /opt/lucidity/venv-bench/bin/python scripts/bench-embeddings.py PASSAGES [options]
PASSAGES is a text file with one passage a line, or JSON Lines with a "text" field a line.

--vectors-out FILE writes the texts and their vectors as JSON instead of timing anything; the
reference vectors in crates/embed/tests/fixtures were made that way.
"""

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

MAX_TOKENS = 256
WARM_UP_TEXTS = 64
INPUT_NAMES = {"input_ids", "attention_mask", "token_type_ids"}


def default_model_dir():
    return os.environ.get("LUCIDITY_MODEL_DIR") or "/opt/lucidity/models/minilm"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("passages", type=Path)
    parser.add_argument("--model-dir", type=Path, default=Path(default_model_dir()))
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes; the median counts")
    parser.add_argument("--limit", type=int, default=0, help="use the first N passages only")
    parser.add_argument("--vectors-out", type=Path, help="write vectors as JSON, time nothing")
    return parser.parse_args()


def read_passages(path, limit):
    passages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        passages.append(json.loads(line)["text"] if path.suffix == ".jsonl" else line)
    return passages[:limit] if limit > 0 else passages


class Reference:
    """The model, tokenizer and pooling, as lucidity-embed does them."""

    def __init__(self, model_dir, threads, batch_size):
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = [i.name for i in self.session.get_inputs()]
        unknown = set(self.inputs) - INPUT_NAMES
        if unknown:
            sys.exit(f"bench-embeddings: unexpected model inputs {sorted(unknown)}")
        self.output = self.session.get_outputs()[0].name
        self.batch_size = batch_size

    def count_tokens(self, texts):
        return sum(len(e.ids) for e in self.tokenizer.encode_batch_fast(texts))

    def embed(self, texts):
        encodings = self.tokenizer.encode_batch_fast(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        vectors = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            pooled = self.run_batch([encodings[i] for i in batch])
            for index, vector in zip(batch, pooled):
                vectors[index] = vector
        return vectors

    def run_batch(self, encodings):
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = encoding.attention_mask
        tensors = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids),
        }
        feed = {name: tensors[name] for name in self.inputs}
        hidden = self.session.run([self.output], feed)[0]

        weights = mask[:, :, None].astype(np.float32)
        mean = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return mean / np.maximum(norms, 1e-12)


def measure(reference, texts, rounds):
    tokens = reference.count_tokens(texts)
    reference.embed(texts[:WARM_UP_TEXTS])
    passes_ms = []
    for round_number in range(max(1, rounds)):
        started = time.perf_counter()
        reference.embed(texts)
        passes_ms.append((time.perf_counter() - started) * 1000.0)
        print(f"bench-embeddings: pass {round_number + 1}: {passes_ms[-1]:.0f} ms", file=sys.stderr)
    duration_ms = statistics.median_low(passes_ms)
    return {
        "runtime": f"onnxruntime {onnxruntime.__version__} (Python)",
        "texts": len(texts),
        "tokens": tokens,
        "rounds": len(passes_ms),
        "duration_ms": round(duration_ms, 3),
        "tokens_per_second": round(tokens / (duration_ms / 1000.0), 1),
        "texts_per_second": round(len(texts) / (duration_ms / 1000.0), 2),
    }


def write_vectors(path, model_dir, reference, texts):
    model_sha256 = hashlib.sha256((model_dir / "model.onnx").read_bytes()).hexdigest()
    vectors = reference.embed(texts)
    document = {
        "model_onnx_sha256": model_sha256,
        "runtime": f"onnxruntime {onnxruntime.__version__} (Python)",
        "max_tokens": MAX_TOKENS,
        "passages": [
            {"text": text, "vector": [round(float(x), 7) for x in vector]}
            for text, vector in zip(texts, vectors)
        ],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def main():
    args = parse_args()
    texts = read_passages(args.passages, args.limit)
    if not texts:
        sys.exit(f"bench-embeddings: no passages in {args.passages}")
    reference = Reference(args.model_dir, args.threads, args.batch_size)

    if args.vectors_out:
        write_vectors(args.vectors_out, args.model_dir, reference, texts)
        return

    result = measure(reference, texts, args.rounds)
    result.update(threads=args.threads, batch_size=args.batch_size)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
