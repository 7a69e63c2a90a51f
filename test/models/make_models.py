# Builds the ONNX test models (small_cnn, transformer_block, resnet50, mobilenetv2, bert_base, mlp,
# mlp_large, and single-op GEMM and Conv models) with random weights from a fixed seed: static
# shapes, opset 17, IR version 8.
"""Usage: python3 test/models/make_models.py NAME -o out.onnx [--seed S]

Every model uses only: Conv, Gemm, MatMul, Add, Sub, Mul, Div, Pow, Relu, Sigmoid, Tanh, Erf, Sqrt,
Exp, Log, Neg, Abs, Clip, BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, Flatten,
Reshape, Transpose, Squeeze, Unsqueeze, Concat, Slice, Gather, Softmax, ReduceMean, ReduceSum,
ReduceMax, LayerNormalization, Identity, Cast, Constant.
"""

import argparse
import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # the C++ side reads models with libonnx 1.12, which knows IR versions up to 8

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64


class GraphBuilder:
    """Collects nodes, initializers and graph inputs/outputs; hands out unique value names."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self._counts = {}

    def fresh(self, base):
        n = self._counts.get(base, 0)
        self._counts[base] = n + 1
        return f"{base}_{n}"

    def add_input(self, name, elem_type, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def add_output(self, name, elem_type, shape):
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def weight(self, base, array):
        """Adds an initializer (weights live in initializers, as exporters write them)."""
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const(self, value, dtype=np.float32, base="const"):
        """Adds a Constant node (as exporters emit for shapes and scalars); rank 0 for scalars."""
        array = np.array(value, dtype=dtype)
        out = self.fresh(base)
        tensor = numpy_helper.from_array(array, out + "_value")
        self.nodes.append(helper.make_node("Constant", [], [out], value=tensor))
        return out

    def op(self, op_type, inputs, out=None, **attrs):
        """Adds one single-output node; returns its output name (fresh unless `out` is given)."""
        out = out or self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out],
                                           name=self.fresh("n_" + op_type), **attrs))
        return out

    def build(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                  initializer=self.initializers)
        model = helper.make_model(graph, producer_name="dlc-test-models",
                                  opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model, full_check=True)
        return model


# ---------------------------------------------------------------------------------------------
# Shared building blocks
# ---------------------------------------------------------------------------------------------

def he_normal(rng, shape, fan_in, scale=1.0):
    return (rng.standard_normal(shape) * scale * math.sqrt(2.0 / fan_in)).astype(np.float32)


def conv(b, x, cin, cout, k, stride=1, pad=0, group=1, bias=True, scale=1.0, out=None):
    """Conv with He-init weights [cout, cin/group, k, k] and an optional bias."""
    fan_in = cin // group * k * k
    w = b.weight("conv_w", he_normal(b.rng, (cout, cin // group, k, k), fan_in, scale))
    inputs = [x, w]
    if bias:
        inputs.append(b.weight("conv_b", (b.rng.standard_normal(cout) * 0.05).astype(np.float32)))
    return b.op("Conv", inputs, out=out, kernel_shape=[k, k], strides=[stride, stride],
                pads=[pad, pad, pad, pad], group=group, dilations=[1, 1])


def batch_norm(b, x, channels, gamma_range=(0.8, 1.2)):
    """Inference BatchNormalization with realistic random statistics (var in [0.5, 1.5])."""
    rng = b.rng
    gamma = rng.uniform(*gamma_range, channels).astype(np.float32)
    beta = (rng.standard_normal(channels) * 0.1).astype(np.float32)
    mean = (rng.standard_normal(channels) * 0.1).astype(np.float32)
    var = rng.uniform(0.5, 1.5, channels).astype(np.float32)
    names = [b.weight(base, a) for base, a in
             (("bn_scale", gamma), ("bn_bias", beta), ("bn_mean", mean), ("bn_var", var))]
    return b.op("BatchNormalization", [x] + names, epsilon=1e-5)


def linear(b, x, n_in, n_out, std):
    """MatMul by a [n_in, n_out] weight then Add of a bias, as transformer exporters write it."""
    w = b.weight("linear_w", (b.rng.standard_normal((n_in, n_out)) * std).astype(np.float32))
    bias = b.weight("linear_b", (b.rng.standard_normal(n_out) * std).astype(np.float32))
    return b.op("Add", [b.op("MatMul", [x, w]), bias])


def layer_norm(b, x, hidden, eps=1e-12, out=None):
    """LayerNorm over the last axis, in primitive ops as exporters often emit it."""
    mean = b.op("ReduceMean", [x], axes=[-1], keepdims=1)
    centered = b.op("Sub", [x, mean])
    squared = b.op("Pow", [centered, b.const(2.0)])
    var = b.op("ReduceMean", [squared], axes=[-1], keepdims=1)
    std = b.op("Sqrt", [b.op("Add", [var, b.const(eps)])])
    normed = b.op("Div", [centered, std])
    gamma = b.weight("ln_gamma", (1.0 + b.rng.standard_normal(hidden) * 0.02).astype(np.float32))
    beta = b.weight("ln_beta", (b.rng.standard_normal(hidden) * 0.02).astype(np.float32))
    return b.op("Add", [b.op("Mul", [normed, gamma]), beta], out=out)


def gelu(b, x):
    """GELU with Erf: x * 0.5 * (1 + erf(x / sqrt(2))), in the exporter's node order."""
    erf = b.op("Erf", [b.op("Div", [x, b.const(math.sqrt(2.0))])])
    return b.op("Mul", [b.op("Mul", [x, b.op("Add", [erf, b.const(1.0)])]), b.const(0.5)])


def self_attention(b, x, seq, hidden, heads, std, split_shape):
    """Multi-head self-attention without a mask; `split_shape` is the Reshape target to heads."""
    head_dim = hidden // heads
    q = linear(b, x, hidden, hidden, std)
    k = linear(b, x, hidden, hidden, std)
    v = linear(b, x, hidden, hidden, std)
    split = b.const(split_shape, np.int64, "shape")
    q = b.op("Transpose", [b.op("Reshape", [q, split])], perm=[0, 2, 1, 3])   # [1,h,s,d]
    k = b.op("Transpose", [b.op("Reshape", [k, split])], perm=[0, 2, 3, 1])   # [1,h,d,s]
    v = b.op("Transpose", [b.op("Reshape", [v, split])], perm=[0, 2, 1, 3])   # [1,h,s,d]
    scores = b.op("Div", [b.op("MatMul", [q, k]), b.const(math.sqrt(head_dim))])
    probs = b.op("Softmax", [scores], axis=-1)
    context = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])  # [1,s,h,d]
    merged = b.op("Reshape", [context, b.const([1, seq, hidden], np.int64, "shape")])
    return linear(b, merged, hidden, hidden, std)


def encoder_layer(b, x, seq, hidden, heads, ffn, std, split_shape, out=None):
    """One post-LayerNorm (BERT-style) encoder layer: attention, add+LN, GELU FFN, add+LN."""
    attn = self_attention(b, x, seq, hidden, heads, std, split_shape)
    x = layer_norm(b, b.op("Add", [attn, x]), hidden)
    h = linear(b, gelu(b, linear(b, x, hidden, ffn, std)), ffn, hidden, std)
    return layer_norm(b, b.op("Add", [h, x]), hidden, out=out)


# ---------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------

def make_small_cnn(seed=0):
    """image [1,3,32,32] -> logits [1,10]."""
    b = GraphBuilder("small_cnn", seed)
    x = b.add_input("image", F32, [1, 3, 32, 32])
    x = b.op("Relu", [batch_norm(b, conv(b, x, 3, 16, 3, pad=1), 16)])           # [1,16,32,32]
    x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])                 # [1,16,16,16]
    x = b.op("Relu", [conv(b, x, 16, 32, 3, stride=2, pad=1)])                    # [1,32,8,8]
    x = b.op("Relu", [conv(b, x, 32, 32, 3, pad=1, group=2)])                     # [1,32,8,8]
    x = b.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])             # [1,32,4,4]
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])], axis=1)                 # [1,32]
    w = b.weight("fc_w", he_normal(b.rng, (10, 32), 32, 0.5))
    bias = b.weight("fc_b", (b.rng.standard_normal(10) * 0.05).astype(np.float32))
    b.op("Gemm", [x, w, bias], out="logits", alpha=1.0, beta=1.0, transB=1)
    b.add_output("logits", F32, [1, 10])
    return b.build()


def make_winograd_convs(seed=0):
    """image [2,16,15,13] -> [2,32,13,11]: 3x3 stride-1 convolutions as dlc computes them with
    Winograd tiles, on odd sizes (the last tile row and column half outside), a batch of 2, with
    and without padding and bias."""
    b = GraphBuilder("winograd_convs", seed)
    x = b.add_input("image", F32, [2, 16, 15, 13])
    x = b.op("Relu", [conv(b, x, 16, 32, 3, pad=1)])                              # [2,32,15,13]
    x = b.op("Relu", [conv(b, x, 32, 32, 3, bias=False)])                         # [2,32,13,11]
    b.op("Add", [x, conv(b, x, 32, 32, 3, pad=1)], out="features")                # [2,32,13,11]
    b.add_output("features", F32, [2, 32, 13, 11])
    return b.build()


def make_transformer_block(seed=0):
    """One BERT-style encoder layer: hidden [1,16,64], 4 heads, FFN 256 -> out [1,16,64]."""
    b = GraphBuilder("transformer_block", seed)
    seq, hidden, heads = 16, 64, 4
    x = b.add_input("hidden", F32, [1, seq, hidden])
    # Reshape to heads with 0 (copy dim) and -1 (infer dim), as Hugging Face exports do.
    encoder_layer(b, x, seq, hidden, heads, 4 * hidden, std=1.0 / math.sqrt(hidden),
                  split_shape=[0, 0, heads, -1], out="out")
    b.add_output("out", F32, [1, seq, hidden])
    return b.build()


def bottleneck(b, x, cin, width, stride):
    """ResNet v1 bottleneck: 1x1 (strided, as in the original v1) -> 3x3 -> 1x1, plus shortcut."""
    cout = width * 4
    y = b.op("Relu", [batch_norm(b, conv(b, x, cin, width, 1, stride=stride, bias=False), width)])
    y = b.op("Relu", [batch_norm(b, conv(b, y, width, width, 3, pad=1, bias=False), width)])
    # A small gamma on the last BN of each residual branch keeps the residual sum bounded.
    y = batch_norm(b, conv(b, y, width, cout, 1, bias=False), cout, gamma_range=(0.1, 0.3))
    if stride != 1 or cin != cout:
        x = batch_norm(b, conv(b, x, cin, cout, 1, stride=stride, bias=False), cout)
    return b.op("Relu", [b.op("Add", [y, x])])


def classifier_head(b, x, channels, classes=1000):
    """Global average pool, flatten and a fully connected layer: [1,C,H,W] -> logits [1,classes]."""
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])], axis=1)                       # [1,C]
    w = b.weight("fc_w", (b.rng.standard_normal((classes, channels)) /
                          math.sqrt(channels)).astype(np.float32))
    bias = b.weight("fc_b", (b.rng.standard_normal(classes) * 0.01).astype(np.float32))
    b.op("Gemm", [x, w, bias], out="logits", alpha=1.0, beta=1.0, transB=1)
    b.add_output("logits", F32, [1, classes])


def make_resnet50(seed=0):
    """ResNet-50 v1: input [1,3,224,224] -> logits [1,1000]."""
    b = GraphBuilder("resnet50", seed)
    x = b.add_input("input", F32, [1, 3, 224, 224])
    x = b.op("Relu", [batch_norm(b, conv(b, x, 3, 64, 7, stride=2, pad=3, bias=False), 64)])
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 56x56
    cin = 64
    for stage, (blocks, width) in enumerate(zip([3, 4, 6, 3], [64, 128, 256, 512])):
        for i in range(blocks):
            stride = 2 if (i == 0 and stage > 0) else 1
            x = bottleneck(b, x, cin, width, stride)
            cin = width * 4
    classifier_head(b, x, 2048)
    return b.build()


def relu6(b, x):
    """ReLU6 as opset-17 exporters write it: Clip with min/max given as scalar Constant operands."""
    return b.op("Clip", [x, b.const(0.0, base="clip_min"), b.const(6.0, base="clip_max")])


def inverted_residual(b, x, cin, cout, stride, expansion):
    """MobileNetV2 block: 1x1 expand + ReLU6, 3x3 depthwise + ReLU6, 1x1 linear projection."""
    hidden = cin * expansion
    y = x
    if expansion != 1:
        y = relu6(b, batch_norm(b, conv(b, y, cin, hidden, 1, bias=False), hidden))
    y = relu6(b, batch_norm(b, conv(b, y, hidden, hidden, 3, stride=stride, pad=1,
                                    group=hidden, bias=False), hidden))
    residual = stride == 1 and cin == cout
    # Linear bottleneck (no activation). The projection's He-init weights with fan-in `hidden` keep
    # its output O(1); on residual branches a small gamma keeps the running sum bounded.
    y = batch_norm(b, conv(b, y, hidden, cout, 1, bias=False, scale=0.5), cout,
                   gamma_range=(0.2, 0.4) if residual else (0.8, 1.2))
    return b.op("Add", [x, y]) if residual else y


# (expansion t, output channels c, repeats n, first stride s), as in the MobileNetV2 paper.
MOBILENETV2_BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                      (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_mobilenetv2(seed=0):
    """MobileNetV2 1.0 (224x224): input [1,3,224,224] -> logits [1,1000]."""
    b = GraphBuilder("mobilenetv2", seed)
    x = b.add_input("input", F32, [1, 3, 224, 224])
    x = relu6(b, batch_norm(b, conv(b, x, 3, 32, 3, stride=2, pad=1, bias=False), 32))  # 112x112
    cin = 32
    for t, c, n, s in MOBILENETV2_BLOCKS:
        for i in range(n):
            x = inverted_residual(b, x, cin, c, s if i == 0 else 1, t)
            cin = c
    x = relu6(b, batch_norm(b, conv(b, x, cin, 1280, 1, bias=False), 1280))           # [1,1280,7,7]
    classifier_head(b, x, 1280)
    return b.build()


# BERT-base has a 30522-token vocabulary (a 94 MB table); a 1000-token vocabulary (3 MB) is used
# here to keep the file small. The table is only gathered from, so the computation is unchanged.
BERT_VOCAB = 1000


def make_bert_base(seed=0, layers=12, seq=128, hidden=768, heads=12, ffn=3072):
    """BERT-base-style encoder: input_ids int64 [1,seq] -> last_hidden_state [1,seq,hidden]."""
    b = GraphBuilder("bert_base", seed)
    std = 0.02
    ids = b.add_input("input_ids", I64, [1, seq])

    def table(base, rows):
        return b.weight(base, (b.rng.standard_normal((rows, hidden)) * std).astype(np.float32))

    words = b.op("Gather", [table("word_embeddings", BERT_VOCAB), ids], axis=0)
    positions = b.op("Gather", [table("position_embeddings", 512),
                                b.const(np.arange(seq).reshape(1, seq), np.int64, "position_ids")],
                     axis=0)
    types = b.op("Gather", [table("token_type_embeddings", 2),
                            b.const(np.zeros((1, seq)), np.int64, "token_type_ids")], axis=0)
    x = layer_norm(b, b.op("Add", [b.op("Add", [words, types]), positions]), hidden)
    for i in range(layers):
        last = i == layers - 1
        x = encoder_layer(b, x, seq, hidden, heads, ffn, std,
                          split_shape=[1, seq, heads, hidden // heads],
                          out="last_hidden_state" if last else None)
    b.add_output("last_hidden_state", F32, [1, seq, hidden])
    return b.build()


def make_mlp(seed=0):
    """x [4,784] -> Gemm 128 + Relu -> Gemm 10 -> Softmax -> probs [4,10]."""
    b = GraphBuilder("mlp", seed)
    x = b.add_input("x", F32, [4, 784])
    w1 = b.weight("fc1_w", he_normal(b.rng, (128, 784), 784))            # transB=1 layout
    b1 = b.weight("fc1_b", (b.rng.standard_normal(128) * 0.05).astype(np.float32))
    h = b.op("Relu", [b.op("Gemm", [x, w1, b1], transB=1)])
    w2 = b.weight("fc2_w", he_normal(b.rng, (128, 10), 128, 2.0))        # transB=0 layout
    b2 = b.weight("fc2_b", (b.rng.standard_normal(10) * 0.05).astype(np.float32))
    logits = b.op("Gemm", [h, w2, b2])
    b.op("Softmax", [logits], out="probs", axis=-1)
    b.add_output("probs", F32, [4, 10])
    return b.build()


def make_mlp_large(seed=0, batch=64, n_in=1024, hidden=4096):
    """x [64,1024] -> Gemm 4096 + Relu -> Gemm 4096 + Relu -> Gemm 1024 -> y [64,1024]."""
    b = GraphBuilder("mlp_large", seed)
    x = b.add_input("x", F32, [batch, n_in])

    def fc(x, n_from, n_to, scale, out=None):
        # He init (scale 1) before a Relu; scale sqrt(1/2) (variance 1/fan_in) for the last layer.
        w = b.weight("fc_w", he_normal(b.rng, (n_to, n_from), n_from, scale))  # transB=1 layout
        bias = b.weight("fc_b", (b.rng.standard_normal(n_to) * 0.05).astype(np.float32))
        return b.op("Gemm", [x, w, bias], out=out, transB=1)

    h = b.op("Relu", [fc(x, n_in, hidden, 1.0)])
    h = b.op("Relu", [fc(h, hidden, hidden, 1.0)])
    fc(h, hidden, n_in, math.sqrt(0.5), out="y")
    b.add_output("y", F32, [batch, n_in])
    return b.build()


def make_gemm(m, k, n, seed=0):
    """x [m, k] @ W [k, n] (constant) -> y [m, n]: one large matrix product, for kernel speed."""
    b = GraphBuilder(f"gemm_{m}x{k}x{n}", seed)
    x = b.add_input("x", F32, [m, k])
    w = b.weight("w", he_normal(b.rng, (k, n), k, math.sqrt(0.5)))
    b.op("MatMul", [x, w], out="y")
    b.add_output("y", F32, [m, n])
    return b.build()


def make_conv(name, cin, cout, size, k, stride=1, pad=0, group=1, seed=0):
    """x [1, cin, size, size] -> Conv with constant weights and bias -> y, for kernel speed."""
    b = GraphBuilder(name, seed)
    x = b.add_input("x", F32, [1, cin, size, size])
    out_size = (size + 2 * pad - k) // stride + 1
    conv(b, x, cin, cout, k, stride, pad, group, out="y")
    b.add_output("y", F32, [1, cout, out_size, out_size])
    return b.build()


MODELS = {
    "small_cnn": make_small_cnn,
    "winograd_convs": make_winograd_convs,
    "transformer_block": make_transformer_block,
    "resnet50": make_resnet50,
    "mobilenetv2": make_mobilenetv2,
    "bert_base": make_bert_base,
    "mlp": make_mlp,
    "mlp_large": make_mlp_large,
    "gemm_1024": lambda seed=0: make_gemm(1024, 1024, 1024, seed),
    "gemm_4096x1024x4096": lambda seed=0: make_gemm(4096, 1024, 4096, seed),
    # Single convolutions with the shapes that dominate ResNet-50 and MobileNetV2.
    "conv_resnet_3x3": lambda seed=0: make_conv("conv_resnet_3x3", 64, 64, 56, 3, pad=1,
                                                seed=seed),
    "conv_resnet_1x1": lambda seed=0: make_conv("conv_resnet_1x1", 256, 64, 56, 1, seed=seed),
    "conv_resnet_7x7s2": lambda seed=0: make_conv("conv_resnet_7x7s2", 3, 64, 224, 7, stride=2,
                                                  pad=3, seed=seed),
    "conv_mobilenet_dw": lambda seed=0: make_conv("conv_mobilenet_dw", 144, 144, 56, 3, pad=1,
                                                  group=144, seed=seed),
    "conv_mobilenet_dw_s2": lambda seed=0: make_conv("conv_mobilenet_dw_s2", 96, 96, 112, 3,
                                                     stride=2, pad=1, group=96, seed=seed),
}


def make_model(name, seed=0):
    """Returns the onnx.ModelProto for a model name (see MODELS)."""
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name](seed=seed)


def save_model(name, path, seed=0):
    """Builds model `name` and writes it to `path`; returns the model."""
    model = make_model(name, seed)
    onnx.save(model, path)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build a dlc test model as ONNX.")
    parser.add_argument("name", choices=sorted(MODELS))
    parser.add_argument("-o", "--output", required=True, help="path of the .onnx file to write")
    parser.add_argument("--seed", type=int, default=0, help="weight seed (default 0)")
    args = parser.parse_args(argv)
    save_model(args.name, args.output, args.seed)
    print(f"wrote {args.name} to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
