# Builds the ONNX test models (small_cnn, transformer_block, resnet50, mobilenetv2, bert_base,
# gpt_decoder, unet, lstm, mlp, mlp_large, and single-op GEMM and Conv models) with random weights
# from a fixed seed: static shapes, opset 17, IR version 8.
"""Usage: python3 test/models/make_models.py NAME -o out.onnx [--seed S]

Every model uses only: Conv, ConvTranspose, Gemm, MatMul, LSTM, Add, Sub, Mul, Div, Pow, Relu,
Sigmoid, Tanh, Erf, Sqrt, Exp, Log, Neg, Abs, Clip, Where, Trilu, BatchNormalization, MaxPool,
AveragePool, GlobalAveragePool, Resize, Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat,
Split, Slice, Gather, Softmax, ReduceMean, ReduceSum, ReduceMax, LayerNormalization, Identity,
Cast, Constant.
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
        return self.node(op_type, inputs, [out or self.fresh(op_type.lower())], **attrs)[0]

    def multi_op(self, op_type, inputs, n_outputs, **attrs):
        """Adds one node with `n_outputs` fresh outputs; returns their names."""
        return self.node(op_type, inputs, [self.fresh(op_type.lower()) for _ in range(n_outputs)],
                         **attrs)

    def node(self, op_type, inputs, outs, **attrs):
        """Adds a node with the given output names (an input named "" is an omitted optional
        one); returns `outs`."""
        self.nodes.append(helper.make_node(op_type, list(inputs), outs,
                                           name=self.fresh("n_" + op_type), **attrs))
        return outs

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


def linear(b, x, n_in, n_out, std, out=None):
    """MatMul by a [n_in, n_out] weight then Add of a bias, as transformer exporters write it."""
    w = b.weight("linear_w", (b.rng.standard_normal((n_in, n_out)) * std).astype(np.float32))
    bias = b.weight("linear_b", (b.rng.standard_normal(n_out) * std).astype(np.float32))
    return b.op("Add", [b.op("MatMul", [x, w]), bias], out=out)


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
    Winograd tiles (F(4x4, 3x3): 32 tiles), on sizes the tiles do not divide (the last tile row
    and column partly outside), a batch of 2, with and without padding and bias."""
    b = GraphBuilder("winograd_convs", seed)
    x = b.add_input("image", F32, [2, 16, 15, 13])
    x = b.op("Relu", [conv(b, x, 16, 32, 3, pad=1)])                              # [2,32,15,13]
    x = b.op("Relu", [conv(b, x, 32, 32, 3, bias=False)])                         # [2,32,13,11]
    b.op("Add", [x, conv(b, x, 32, 32, 3, pad=1)], out="features")                # [2,32,13,11]
    b.add_output("features", F32, [2, 32, 13, 11])
    return b.build()


def make_direct_convs(seed=0):
    """image [1,3,37,37] -> [1,12,5,6]: convolutions of the shapes dlc's direct kernel blocks
    differently: a 7x7 stride-2 stem over 3 channels, rows of 19 and 10 positions (whole vectors
    and a part), 20 filters (register blocks of 6 or 8 and a rest), a dilated 3x3, a stride of
    (2, 1), and a 5x5 map (rows of one vector, two rows a block, the odd row alone), with
    biases, batch norm, ReLU and a residual add of two convolutions."""
    b = GraphBuilder("direct_convs", seed)
    x = b.add_input("image", F32, [1, 3, 37, 37])
    x = b.op("Relu", [conv(b, x, 3, 16, 7, stride=2, pad=3)])                     # [1,16,19,19]
    w = b.weight("conv_w", he_normal(b.rng, (20, 16, 3, 3), 16 * 9, 1.0))
    y = b.op("Conv", [x, w], kernel_shape=[3, 3], pads=[2, 2, 2, 2],
             dilations=[2, 2])                                                    # [1,20,19,19]
    y = b.op("Relu", [batch_norm(b, y, 20)])
    y = b.op("Add", [conv(b, y, 20, 20, 1), conv(b, y, 20, 20, 1)])               # [1,20,19,19]
    w = b.weight("conv_w", he_normal(b.rng, (24, 20, 3, 3), 20 * 9, 1.0))
    y = b.op("Conv", [y, w, b.weight("conv_b", np.full(24, 0.1, np.float32))],
             kernel_shape=[3, 3], strides=[2, 1], pads=[1, 1, 1, 1])              # [1,24,10,19]
    y = b.op("Relu", [conv(b, y, 24, 8, 3, stride=2, pad=1)])                     # [1,8,5,10]
    for cin in (8, 12):  # padded along the height only: [1,12,5,8], then [1,12,5,6]
        w = b.weight("conv_w", he_normal(b.rng, (12, cin, 3, 3), cin * 9, 1.0))
        y = b.op("Conv", [y, w], kernel_shape=[3, 3], pads=[1, 0, 1, 0])
    b.op("Relu", [y], out="features")
    b.add_output("features", F32, [1, 12, 5, 6])
    return b.build()


def make_transposed_convs(seed=0):
    """image [1,32,14,17] -> [1,32,7,9]: convolutions of the shapes dlc's transposed direct
    kernel blocks differently: rows of 17 positions (a block of 14 and the last 3), 48 filters
    (a group of two vectors and the last one), a dilated 3x3 over 48 channels, a 1x1 stride 2
    (rows of 9), with biases, batch norm, ReLU and a residual add of two convolutions."""
    b = GraphBuilder("transposed_convs", seed)
    x = b.add_input("image", F32, [1, 32, 14, 17])
    x = b.op("Relu", [conv(b, x, 32, 48, 1)])                                     # [1,48,14,17]
    w = b.weight("conv_w", he_normal(b.rng, (32, 48, 3, 3), 48 * 9, 1.0))
    y = b.op("Conv", [x, w], kernel_shape=[3, 3], pads=[2, 2, 2, 2],
             dilations=[2, 2])                                                    # [1,32,14,17]
    y = b.op("Relu", [batch_norm(b, y, 32)])
    y = b.op("Relu", [conv(b, y, 32, 32, 1, stride=2)])                           # [1,32,7,9]
    b.op("Add", [conv(b, y, 32, 32, 1), conv(b, y, 32, 32, 1)], out="features")   # [1,32,7,9]
    b.add_output("features", F32, [1, 32, 7, 9])
    return b.build()


def make_depthwise_after_conv(seed=0):
    """image [1,3,34,34] -> [1,24,9,9]: depthwise convolutions reading a convolution's result
    directly, with no activation between (PP-OCRv4's detection backbone: Conv -> BatchNorm ->
    depthwise). Their padded windows read the product behind the convolution; the right border
    column is where a read past the row's end once took the next row's first element."""
    b = GraphBuilder("depthwise_after_conv", seed)
    x = b.add_input("image", F32, [1, 3, 34, 34])
    x = batch_norm(b, conv(b, x, 3, 16, 3, stride=2, pad=1, bias=False), 16)    # [1,16,17,17]
    x = conv(b, x, 16, 16, 3, pad=1, group=16)                                    # [1,16,17,17]
    x = conv(b, x, 16, 24, 1)                                                     # [1,24,17,17]
    b.op("Relu", [conv(b, x, 24, 24, 3, stride=2, pad=1, group=24)], out="features")  # [1,24,9,9]
    b.add_output("features", F32, [1, 24, 9, 9])
    return b.build()


def make_depthwise_convs(seed=0):
    """image [1,16,21,37] -> [1,32,6,10]: MobileNet's and PP-OCR's depthwise convolutions between
    pointwise ones: 3x3 and 5x5 at stride 1 on rows of 37 (two whole vectors of 16 and a part),
    3x3 at stride 2, each followed by a 1x1 convolution, with ReLU and Clip (ReLU6), and a last
    3x3 on rows of 10 (more than half a vector of 16, less than one)."""
    b = GraphBuilder("depthwise_convs", seed)
    x = b.add_input("image", F32, [1, 16, 21, 37])
    relu6 = lambda v: b.op("Clip", [v, b.weight("lo", np.float32(0)),
                                    b.weight("hi", np.float32(6))])
    x = relu6(conv(b, x, 16, 16, 3, pad=1, group=16))                            # [1,16,21,37]
    x = b.op("Relu", [conv(b, x, 16, 24, 1)])                                     # [1,24,21,37]
    x = relu6(conv(b, x, 24, 24, 5, pad=2, group=24))                            # [1,24,21,37]
    x = conv(b, x, 24, 24, 1)                                                     # [1,24,21,37]
    x = b.op("Relu", [conv(b, x, 24, 24, 3, stride=2, pad=1, group=24)])          # [1,24,11,19]
    x = conv(b, x, 24, 32, 3, stride=2, pad=1, group=1)                           # [1,32,6,10]
    x = b.op("Relu", [x])
    # Rows of 10, more than half a vector: read padded, computed on 12 lanes.
    b.op("Relu", [conv(b, x, 32, 32, 3, pad=1, group=32)], out="features")        # [1,32,6,10]
    b.add_output("features", F32, [1, 32, 6, 10])
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


def make_dynamic_encoder(seed=0, hidden=32, heads=2):
    """One encoder layer on hidden ["batch", "seq", 32] -> out ["batch", "seq", 32] and its mean
    over the sequence, pooled ["batch", 32]. The heads are split with Reshape [0, 0, h, -1] and
    merged with a target computed from Shape, as exporters of dynamic models write them."""
    b = GraphBuilder("dynamic_encoder", seed)
    x = b.add_input("hidden", F32, ["batch", "seq", hidden])
    std = 1.0 / math.sqrt(hidden)
    split = b.const([0, 0, heads, -1], np.int64, "shape")
    q, k, v = (linear(b, x, hidden, hidden, std) for _ in range(3))
    q = b.op("Transpose", [b.op("Reshape", [q, split])], perm=[0, 2, 1, 3])
    k = b.op("Transpose", [b.op("Reshape", [k, split])], perm=[0, 2, 3, 1])
    v = b.op("Transpose", [b.op("Reshape", [v, split])], perm=[0, 2, 1, 3])
    scores = b.op("Div", [b.op("MatMul", [q, k]), b.const(math.sqrt(hidden // heads))])
    probs = b.op("Softmax", [scores], axis=-1)
    context = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    batch_seq = b.op("Slice", [b.op("Shape", [x]), b.const([0], np.int64), b.const([2], np.int64)])
    merged_shape = b.op("Concat", [batch_seq, b.const([hidden], np.int64)], axis=0)
    attn = linear(b, b.op("Reshape", [context, merged_shape]), hidden, hidden, std)
    x = layer_norm(b, b.op("Add", [attn, x]), hidden)
    h = linear(b, gelu(b, linear(b, x, hidden, 2 * hidden, std)), 2 * hidden, hidden, std)
    out = layer_norm(b, b.op("Add", [h, x]), hidden, out="out")
    b.op("ReduceMean", [out], out="pooled", axes=[1], keepdims=0)
    b.add_output("out", F32, ["batch", "seq", hidden])
    b.add_output("pooled", F32, ["batch", hidden])
    return b.build()


def make_dynamic_cnn(seed=0):
    """image ["n", 3, 16, 16] -> logits ["n", 10]: convolutions, pooling and a Flatten whose
    batch is symbolic."""
    b = GraphBuilder("dynamic_cnn", seed)
    x = b.add_input("image", F32, ["n", 3, 16, 16])
    x = b.op("Relu", [batch_norm(b, conv(b, x, 3, 16, 3, pad=1), 16)])           # [n,16,16,16]
    x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])                 # [n,16,8,8]
    x = b.op("Relu", [conv(b, x, 16, 32, 3, stride=2, pad=1)])                    # [n,32,4,4]
    x = b.op("Flatten", [x], axis=1)                                              # [n,512]
    w = b.weight("fc_w", he_normal(b.rng, (10, 512), 512, 0.5))
    bias = b.weight("fc_b", (b.rng.standard_normal(10) * 0.05).astype(np.float32))
    b.op("Gemm", [x, w, bias], out="logits", alpha=1.0, beta=1.0, transB=1)
    b.add_output("logits", F32, ["n", 10])
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


def layer_norm_op(b, x, hidden, eps=1e-5, out=None):
    """LayerNorm over the last axis as one LayerNormalization node (opset 17 exporters)."""
    gamma = b.weight("ln_gamma", (1.0 + b.rng.standard_normal(hidden) * 0.02).astype(np.float32))
    beta = b.weight("ln_beta", (b.rng.standard_normal(hidden) * 0.02).astype(np.float32))
    return b.op("LayerNormalization", [x, gamma, beta], out=out, axis=-1, epsilon=eps)


def gelu_tanh(b, x):
    """GPT-2's GELU, the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in
    the exporter's node order."""
    cube = b.op("Mul", [b.op("Pow", [x, b.const(3.0)]), b.const(0.044715)])
    inner = b.op("Mul", [b.op("Add", [x, cube]), b.const(math.sqrt(2.0 / math.pi))])
    one_plus = b.op("Add", [b.const(1.0), b.op("Tanh", [inner])])
    return b.op("Mul", [b.op("Mul", [b.const(0.5), x]), one_plus])


def causal_self_attention(b, x, mask, seq, hidden, heads):
    """GPT-2 attention on x [1,s,h]: one fused QKV projection Split in three, scores scaled by
    1/sqrt(d), Where(mask, scores, lowest float32) so that no position sees a later one, Softmax."""
    head_dim = hidden // heads
    std = 1.0 / math.sqrt(hidden)
    qkv = linear(b, x, hidden, 3 * hidden, std)                                       # [1,s,3h]
    q, k, v = b.multi_op("Split", [qkv, b.const([hidden] * 3, np.int64, "split")], 3, axis=2)
    split = b.const([1, seq, heads, head_dim], np.int64, "shape")
    q = b.op("Transpose", [b.op("Reshape", [q, split])], perm=[0, 2, 1, 3])   # [1,heads,s,d]
    k = b.op("Transpose", [b.op("Reshape", [k, split])], perm=[0, 2, 3, 1])   # [1,heads,d,s]
    v = b.op("Transpose", [b.op("Reshape", [v, split])], perm=[0, 2, 1, 3])   # [1,heads,s,d]
    scores = b.op("Div", [b.op("MatMul", [q, k]), b.const(math.sqrt(head_dim))])
    lowest = b.const(np.finfo(np.float32).min, base="mask_value")
    probs = b.op("Softmax", [b.op("Where", [mask, scores, lowest])], axis=-1)
    context = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])  # [1,s,heads,d]
    merged = b.op("Reshape", [context, b.const([1, seq, hidden], np.int64, "shape")])
    return linear(b, merged, hidden, hidden, std)


def decoder_block(b, x, mask, seq, hidden, heads):
    """One pre-LayerNorm (GPT-2-style) decoder block: x + attn(LN(x)), then x + MLP(LN(x)) with a
    4x wide tanh-GELU MLP."""
    x = b.op("Add", [x, causal_self_attention(b, layer_norm_op(b, x, hidden), mask, seq, hidden,
                                              heads)])
    h = linear(b, layer_norm_op(b, x, hidden), hidden, 4 * hidden, 1.0 / math.sqrt(hidden))
    h = linear(b, gelu_tanh(b, h), 4 * hidden, hidden, 1.0 / math.sqrt(4 * hidden))
    return b.op("Add", [x, h])


def make_gpt_decoder(seed=0, layers=2, seq=32, hidden=64, heads=4, vocab=512, max_positions=128):
    """GPT-style decoder: input_ids int64 [1,32] -> token + position embeddings, 2 pre-LN blocks
    with causal self-attention (hidden 64, 4 heads), final LayerNorm, LM head tied to the token
    table -> logits [1,32,512]."""
    b = GraphBuilder("gpt_decoder", seed)
    std = 1.0 / math.sqrt(hidden)
    ids = b.add_input("input_ids", I64, [1, seq])
    wte = b.weight("wte", (b.rng.standard_normal((vocab, hidden)) * std).astype(np.float32))
    wpe = b.weight("wpe", (b.rng.standard_normal((max_positions, hidden)) * std)
                   .astype(np.float32))
    positions = b.const(np.arange(seq).reshape(1, seq), np.int64, "position_ids")
    x = b.op("Add", [b.op("Gather", [wte, ids], axis=0),
                     b.op("Gather", [wpe, positions], axis=0)])                   # [1,s,h]
    # The causal mask as exporters build it from torch.tril(torch.ones(s, s)): true on and below
    # the diagonal, [s,s], broadcast over the batch and the heads.
    ones = b.const(np.ones((seq, seq)), base="ones")
    mask = b.op("Cast", [b.op("Trilu", [ones], upper=0)], to=TensorProto.BOOL)
    for _ in range(layers):
        x = decoder_block(b, x, mask, seq, hidden, heads)
    x = layer_norm_op(b, x, hidden)
    b.op("MatMul", [x, b.op("Transpose", [wte], perm=[1, 0])], out="logits")     # [1,s,vocab]
    b.add_output("logits", F32, [1, seq, vocab])
    return b.build()


def double_conv(b, x, cin, cout):
    """UNet's double convolution: (3x3 conv, BatchNorm, Relu) twice, keeping the spatial size."""
    for c in (cin, cout):
        x = b.op("Relu", [batch_norm(b, conv(b, x, c, cout, 3, pad=1, bias=False), cout)])
    return x


def make_unet(seed=0):
    """UNet with two levels: image [1,3,64,64] -> mask logits [1,2,64,64]. The encoder halves
    the size with MaxPool; the decoder doubles it once with ConvTranspose (kernel 2, stride 2) and
    once with a bilinear Resize (constant scales, no roi, as PyTorch's Upsample exports), each
    followed by a Concat with the encoder's features at that size."""
    b = GraphBuilder("unet", seed)
    x = b.add_input("image", F32, [1, 3, 64, 64])

    def max_pool(x):
        return b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])

    e1 = double_conv(b, x, 3, 16)                                                 # [1,16,64,64]
    e2 = double_conv(b, max_pool(e1), 16, 32)                                     # [1,32,32,32]
    mid = double_conv(b, max_pool(e2), 32, 64)                                    # [1,64,16,16]
    # Each output pixel of a stride-2, kernel-2 ConvTranspose sees one tap per input channel:
    # fan-in 64, variance 1/64 (no Relu follows).
    w = b.weight("convT_w", he_normal(b.rng, (64, 32, 2, 2), 64, math.sqrt(0.5)))
    bias = b.weight("convT_b", (b.rng.standard_normal(32) * 0.05).astype(np.float32))
    up = b.op("ConvTranspose", [mid, w, bias], kernel_shape=[2, 2], strides=[2, 2])  # 32x32
    d2 = double_conv(b, b.op("Concat", [up, e2], axis=1), 64, 32)                 # [1,32,32,32]
    scales = b.const([1.0, 1.0, 2.0, 2.0], base="scales")
    up = b.op("Resize", [d2, "", scales], mode="linear",
              coordinate_transformation_mode="pytorch_half_pixel")                # [1,32,64,64]
    d1 = double_conv(b, b.op("Concat", [up, e1], axis=1), 48, 16)                 # [1,16,64,64]
    conv(b, d1, 16, 2, 1, scale=math.sqrt(0.5), out="mask_logits")
    b.add_output("mask_logits", F32, [1, 2, 64, 64])
    return b.build()


def make_lstm_model(seed=0, seq=16, batch=2, n_in=32, hidden=64, classes=10):
    """x [16,2,32] (sequence first) -> forward LSTM, hidden 64, with bias and initial states ->
    Y [16,1,2,64] -> Squeeze, MatMul + Add -> per-step logits [16,2,10]; and Y_h [1,2,64] ->
    Squeeze -> last_hidden [2,64]. W [1,4H,32], R [1,4H,H] and B [1,8H] hold the gates in ONNX's
    order i, o, f, c, drawn from U(-1/sqrt(H), 1/sqrt(H)) as PyTorch initializes them."""
    b = GraphBuilder("lstm", seed)
    x = b.add_input("x", F32, [seq, batch, n_in])
    bound = 1.0 / math.sqrt(hidden)

    def uniform(base, shape):
        return b.weight(base, b.rng.uniform(-bound, bound, shape).astype(np.float32))

    def state(base):
        return b.weight(base, (b.rng.standard_normal((1, batch, hidden)) * 0.5)
                        .astype(np.float32))

    w = uniform("lstm_W", (1, 4 * hidden, n_in))
    r = uniform("lstm_R", (1, 4 * hidden, hidden))
    bias = uniform("lstm_B", (1, 8 * hidden))
    # Inputs: X, W, R, B, sequence_lens (omitted: every sequence is full), initial_h, initial_c.
    y, y_h = b.multi_op("LSTM", [x, w, r, bias, "", state("lstm_h0"), state("lstm_c0")], 2,
                        hidden_size=hidden, direction="forward")
    y = b.op("Squeeze", [y, b.const([1], np.int64, "axes")])                        # [s,b,H]
    linear(b, y, hidden, classes, bound, out="logits")                              # [s,b,10]
    b.op("Squeeze", [y_h, b.const([0], np.int64, "axes")], out="last_hidden")       # [b,H]
    b.add_output("logits", F32, [seq, batch, classes])
    b.add_output("last_hidden", F32, [batch, hidden])
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


def make_tile_mlp(seed=0):
    """x [2,48,64] -> MatMul 96 + bias + Relu -> MatMul 40 + bias -> MatMul 64 + x -> y [2,48,64]:
    products under an outer dimension in the shapes AMX tiles take: tiles of 16 rows, of 16
    columns (blocks of 1x2 tiles) and of 10 (40 columns), reductions in steps of 64 bytes and of
    fewer (96 int8, 40)."""
    b = GraphBuilder("tile_mlp", seed)
    x = b.add_input("x", F32, [2, 48, 64])
    h = b.op("Relu", [linear(b, x, 64, 96, math.sqrt(2 / 64))])
    h = linear(b, h, 96, 40, math.sqrt(1 / 96))
    w = b.weight("w3", (b.rng.standard_normal((40, 64)) * math.sqrt(1 / 40)).astype(np.float32))
    b.op("Add", [b.op("MatMul", [h, w]), x], out="y")
    b.add_output("y", F32, [2, 48, 64])
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


def subgraph(b, name, nodes, inputs, outputs):
    """A body or branch graph (a GraphProto attribute) built with `b`'s helpers: `nodes` is a
    function adding nodes to a fresh builder sharing `b`'s random generator and names."""
    sub = GraphBuilder(name, 0)
    sub.rng, sub._counts = b.rng, b._counts
    for value_name, elem_type, shape in inputs:
        sub.add_input(value_name, elem_type, shape)
    nodes(sub)
    b.initializers += sub.initializers  # weights stay in the main graph, read from the outer scope
    for value_name, elem_type, shape in outputs:
        sub.add_output(value_name, elem_type, shape)
    return helper.make_graph(sub.nodes, name, sub.inputs, sub.outputs)


def make_if_branches(name, taken, seed=0):
    """x [4,16] -> y [4,16]: If on a condition computed from x at run time (the sum of squares
    compared with -1, so `taken` decides it while nothing folds it), a matrix product and Relu in
    the then branch, Sigmoid times x in the else branch, and Tanh after."""
    b = GraphBuilder(name, seed)
    x = b.add_input("x", F32, [4, 16])
    square_sum = b.op("ReduceSum", [b.op("Mul", [x, x])], keepdims=0)
    condition = b.op("Greater" if taken else "Less", [square_sum, b.const(-1.0)])
    w = b.weight("w", he_normal(b.rng, (16, 16), 16))
    then_graph = subgraph(b, "then", lambda g: g.op("Relu", [g.op("MatMul", [x, w])],
                                                    out="then_out"),
                          [], [("then_out", F32, [4, 16])])
    else_graph = subgraph(b, "else", lambda g: g.op("Mul", [g.op("Sigmoid", [x]), x],
                                                    out="else_out"),
                          [], [("else_out", F32, [4, 16])])
    branch = b.op("If", [condition], then_branch=then_graph, else_branch=else_graph)
    b.op("Tanh", [branch], out="y")
    b.add_output("y", F32, [4, 16])
    return b.build()


def make_scan_rnn(seed=0, seq=6, batch=2, n_in=8, hidden=16):
    """x [6,2,8] (sequence first), h0 [2,16] -> Scan carrying h = tanh(x_t W + h U + bias) ->
    h_last [2,16] and every step's h, stacked on axis 1: hs [2,6,16]."""
    b = GraphBuilder("scan_rnn", seed)
    x = b.add_input("x", F32, [seq, batch, n_in])
    h0 = b.add_input("h0", F32, [batch, hidden])
    w = b.weight("w", he_normal(b.rng, (n_in, hidden), n_in, math.sqrt(0.5)))
    u = b.weight("u", he_normal(b.rng, (hidden, hidden), hidden, math.sqrt(0.5)))
    bias = b.weight("bias", (b.rng.standard_normal(hidden) * 0.1).astype(np.float32))

    def step(g):
        pre = g.op("Add", [g.op("MatMul", ["x_t", w]), g.op("MatMul", ["h_in", u])])
        h = g.op("Tanh", [g.op("Add", [pre, bias])], out="h_out")
        g.op("Identity", [h], out="h_scan")

    body = subgraph(b, "step", step, [("h_in", F32, [batch, hidden]), ("x_t", F32, [batch, n_in])],
                    [("h_out", F32, [batch, hidden]), ("h_scan", F32, [batch, hidden])])
    b.node("Scan", [h0, x], ["h_last", "hs"], body=body, num_scan_inputs=1,
           scan_output_axes=[1])
    b.add_output("h_last", F32, [batch, hidden])
    b.add_output("hs", F32, [batch, seq, hidden])
    return b.build()


def make_loop_static(seed=0, trips=4):
    """x [3,8] -> Loop with a constant trip count of 4 carrying y = Relu(y W) + table[i] (row i
    of a constant table, gathered with the iteration number) -> y [3,8] and every iteration's
    row sum, stacked: sums [4,3]."""
    b = GraphBuilder("loop_static", seed)
    x = b.add_input("x", F32, [3, 8])
    w = b.weight("w", he_normal(b.rng, (8, 8), 8, math.sqrt(0.5)))
    table = b.weight("table", b.rng.standard_normal((trips, 8)).astype(np.float32))
    trip_count = b.const(trips, np.int64)
    keep_going = b.const(True, np.bool_)

    def body(g):
        row = g.op("Gather", [table, "i"], axis=0)
        y = g.op("Add", [g.op("Relu", [g.op("MatMul", ["y_in", w])]), row], out="y_out")
        g.op("ReduceSum", [y, g.const([1], np.int64)], out="sum_out", keepdims=0)
        g.op("Identity", ["c_in"], out="c_out")

    graph = subgraph(b, "body", body,
                     [("i", I64, []), ("c_in", TensorProto.BOOL, []), ("y_in", F32, [3, 8])],
                     [("c_out", TensorProto.BOOL, []), ("y_out", F32, [3, 8]),
                      ("sum_out", F32, [3])])
    b.node("Loop", [trip_count, keep_going, x], ["y", "sums"], body=graph)
    b.add_output("y", F32, [3, 8])
    b.add_output("sums", F32, [trips, 3])
    return b.build()


def make_loop_runtime(seed=0):
    """x [3,8] -> Loop whose trip count and condition are computed from x at run time (a library
    cannot unroll it): trips = min(2 + 4 max|x|, 24) iterations at most, carrying
    y = 0.9 y + tanh(y W) and a step count while sum|y| stays below 30 -> y [3,8], steps []."""
    b = GraphBuilder("loop_runtime", seed)
    x = b.add_input("x", F32, [3, 8])
    w = b.weight("w", he_normal(b.rng, (8, 8), 8, math.sqrt(0.5)))
    peak = b.op("ReduceMax", [b.op("Abs", [x])], keepdims=0)
    scaled = b.op("Add", [b.op("Mul", [peak, b.const(4.0)]), b.const(2.0)])
    trips = b.op("Cast", [b.op("Min", [scaled, b.const(24.0)])], to=TensorProto.INT64)
    steps0 = b.const(0, np.int64)

    def body(g):
        y = g.op("Add", [g.op("Mul", ["y_in", g.const(0.9)]),
                         g.op("Tanh", [g.op("MatMul", ["y_in", w])])], out="y_out")
        g.op("Add", ["steps_in", g.const(1, np.int64)], out="steps_out")
        total = g.op("ReduceSum", [g.op("Abs", [y])], keepdims=0)
        g.op("Less", [total, g.const(30.0)], out="c_out")

    graph = subgraph(b, "body", body,
                     [("i", I64, []), ("c_in", TensorProto.BOOL, []), ("y_in", F32, [3, 8]),
                      ("steps_in", I64, [])],
                     [("c_out", TensorProto.BOOL, []), ("y_out", F32, [3, 8]),
                      ("steps_out", I64, [])])
    b.node("Loop", [trips, "", x, steps0], ["y", "steps"], body=graph)
    b.add_output("y", F32, [3, 8])
    b.add_output("steps", I64, [])
    return b.build()


def make_matmul_integer(name, signed, seed=0, m=64, k=250, n=96, zero_point=3):
    """x [m,k] uint8 (int8 when `signed`) -> MatMulInteger with constant int8 weights [k,n],
    x's zero point `zero_point` (negated when signed) and none for the weights -> y [m,n]
    int32. k = 250 is not a multiple of 4, the bytes a VNNI instruction sums; an n that is not
    a multiple of 16 (the int8 variant's 90) ends with a partial column panel."""
    b = GraphBuilder(name, seed)
    x = b.add_input("x", TensorProto.INT8 if signed else TensorProto.UINT8, [m, k])
    w = b.weight("w", b.rng.integers(-128, 128, (k, n)).astype(np.int8))
    zero = b.const(-zero_point if signed else zero_point, np.int8 if signed else np.uint8)
    b.op("MatMulInteger", [x, w, zero], out="y")
    b.add_output("y", TensorProto.INT32, [m, n])
    return b.build()


def make_conv_integer(name, signed, seed=0, zero_point=37, channels=12, size=(15, 13), k=3,
                      stride=1):
    """x [1,12,15,13] uint8 (int8 when `signed`) -> ConvInteger 3x3, pads 1, stride 1, with
    constant int8 filters [20,12,3,3], x's zero point `zero_point` (negated when signed) and
    none for the filters -> y [1,20,15,13] int32: the padding holds the zero point, 108 bytes
    per sum (not a multiple of 32), 20 filters (not a multiple of 8). `channels`, `size`, `k`
    (padded by k // 2) and `stride` change the input and filters."""
    b = GraphBuilder(name, seed)
    x = b.add_input("x", TensorProto.INT8 if signed else TensorProto.UINT8, [1, channels, *size])
    w = b.weight("w", b.rng.integers(-128, 128, (20, channels, k, k)).astype(np.int8))
    zero = b.const(-zero_point if signed else zero_point, np.int8 if signed else np.uint8)
    pad = k // 2
    out = [(d + 2 * pad - k) // stride + 1 for d in size]
    b.op("ConvInteger", [x, w, zero], out="y", pads=[pad] * 4, strides=[stride] * 2)
    b.add_output("y", TensorProto.INT32, [1, 20, *out])
    return b.build()


def make_qdq(name, base, signed, seed=0, preprocess=False, operators=False):
    """The model `base` as onnxruntime's quantize_static writes it in QDQ format: activations
    uint8 (int8 when `signed`), weights int8 per output channel, calibrated (MinMax) on 4
    random inputs. Each Conv, MatMul or Gemm then reads DequantizeLinear outputs. With
    `preprocess`, onnxruntime's quant_pre_process runs first, as its documentation asks of
    CNNs: it folds each BatchNormalization into the Conv before it. With `operators`, the
    format is QOperator and only the convolutions are quantized: each becomes a QLinearConv
    (the other QOperator ops onnxruntime writes, QGemm and QLinearAdd, are its own domain's)."""
    import tempfile
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process
    model = MODELS[base](seed)
    rng = np.random.default_rng(seed + 100)

    def sample(value):
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            return rng.standard_normal(shape).astype(np.float32)
        # Token ids (BERT's): small ones, inside any vocabulary.
        dtype = helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type)
        return rng.integers(0, 100, shape).astype(dtype)

    batches = [{v.name: sample(v) for v in model.graph.input} for _ in range(4)]

    class Reader(CalibrationDataReader):
        def get_next(self):
            return batches.pop() if batches else None

    with tempfile.TemporaryDirectory() as tmp:
        onnx.save(model, f"{tmp}/fp32.onnx")
        if preprocess:
            quant_pre_process(f"{tmp}/fp32.onnx", f"{tmp}/fp32.onnx")
        quantize_static(f"{tmp}/fp32.onnx", f"{tmp}/qdq.onnx", Reader(),
                        quant_format=QuantFormat.QOperator if operators else QuantFormat.QDQ,
                        op_types_to_quantize=["Conv"] if operators else None,
                        per_channel=True,
                        activation_type=QuantType.QInt8 if signed else QuantType.QUInt8,
                        weight_type=QuantType.QInt8)
        quantized = onnx.load(f"{tmp}/qdq.onnx")
    quantized.graph.name = name
    return quantized


MODELS = {
    "small_cnn": make_small_cnn,
    "winograd_convs": make_winograd_convs,
    "direct_convs": make_direct_convs,
    "transposed_convs": make_transposed_convs,
    "depthwise_after_conv": make_depthwise_after_conv,
    "depthwise_convs": make_depthwise_convs,
    "transformer_block": make_transformer_block,
    "resnet50": make_resnet50,
    "mobilenetv2": make_mobilenetv2,
    "bert_base": make_bert_base,
    "gpt_decoder": make_gpt_decoder,
    "unet": make_unet,
    "lstm": make_lstm_model,
    "mlp": make_mlp,
    "tile_mlp": make_tile_mlp,
    "if_then": lambda seed=0: make_if_branches("if_then", True, seed),
    "if_else": lambda seed=0: make_if_branches("if_else", False, seed),
    "scan_rnn": make_scan_rnn,
    "loop_static": make_loop_static,
    "loop_runtime": make_loop_runtime,
    "qdq_mlp_u8s8": lambda seed=0: make_qdq("qdq_mlp_u8s8", "mlp", False, seed),
    "qdq_mlp_s8s8": lambda seed=0: make_qdq("qdq_mlp_s8s8", "mlp", True, seed),
    # The MLP's shape at a size for checking assembly: reductions long enough to stay loops.
    "mlp_medium": lambda seed=0: make_mlp_large(seed, batch=32, n_in=512, hidden=256),
    "qdq_mlp_medium_s8s8": lambda seed=0: make_qdq("qdq_mlp_medium_s8s8", "mlp_medium", True,
                                                   seed),
    "qdq_tile_mlp_u8s8": lambda seed=0: make_qdq("qdq_tile_mlp_u8s8", "tile_mlp", False, seed),
    "qdq_tile_mlp_s8s8": lambda seed=0: make_qdq("qdq_tile_mlp_s8s8", "tile_mlp", True, seed),
    "qdq_mlp_large": lambda seed=0: make_qdq("qdq_mlp_large", "mlp_large", False, seed),
    "qdq_bert_base": lambda seed=0: make_qdq("qdq_bert_base", "bert_base", False, seed),
    "qdq_depthwise_u8s8": lambda seed=0: make_qdq("qdq_depthwise_u8s8", "depthwise_convs", False,
                                                   seed, preprocess=True),
    "qdq_depthwise_s8s8": lambda seed=0: make_qdq("qdq_depthwise_s8s8", "depthwise_convs", True,
                                                   seed, preprocess=True),
    "qdq_small_cnn_u8s8": lambda seed=0: make_qdq("qdq_small_cnn_u8s8", "small_cnn", False, seed,
                                                   preprocess=True),
    "qdq_small_cnn_s8s8": lambda seed=0: make_qdq("qdq_small_cnn_s8s8", "small_cnn", True, seed,
                                                   preprocess=True),
    "qop_small_cnn_u8s8": lambda seed=0: make_qdq("qop_small_cnn_u8s8", "small_cnn", False, seed,
                                                   preprocess=True, operators=True),
    "qop_small_cnn_s8s8": lambda seed=0: make_qdq("qop_small_cnn_s8s8", "small_cnn", True, seed,
                                                   preprocess=True, operators=True),
    "conv_integer_u8": lambda seed=0: make_conv_integer("conv_integer_u8", False, seed),
    "conv_integer_s8": lambda seed=0: make_conv_integer("conv_integer_s8", True, seed),
    "conv_integer_stem": lambda seed=0: make_conv_integer("conv_integer_stem", False, seed,
                                                          channels=3, size=(20, 70), k=7,
                                                          stride=2),
    "qdq_resnet50": lambda seed=0: make_qdq("qdq_resnet50", "resnet50", True, seed,
                                             preprocess=True),
    "qdq_mobilenetv2": lambda seed=0: make_qdq("qdq_mobilenetv2", "mobilenetv2", True, seed,
                                                preprocess=True),
    "matmul_integer_u8": lambda seed=0: make_matmul_integer("matmul_integer_u8", False, seed),
    "matmul_integer_s8": lambda seed=0: make_matmul_integer("matmul_integer_s8", True, seed,
                                                            n=90),
    "dynamic_encoder": make_dynamic_encoder,
    "dynamic_cnn": make_dynamic_cnn,
    "mlp_large": make_mlp_large,
    "gemm_1024": lambda seed=0: make_gemm(1024, 1024, 1024, seed),
    "gemm_int8_1024": lambda seed=0: make_matmul_integer("gemm_int8_1024", False, seed, 1024,
                                                         1024, 1024, 0),
    "gemm_4096x1024x4096": lambda seed=0: make_gemm(4096, 1024, 4096, seed),
    # Single convolutions with the shapes that dominate ResNet-50 and MobileNetV2.
    "conv_resnet_3x3": lambda seed=0: make_conv("conv_resnet_3x3", 64, 64, 56, 3, pad=1,
                                                seed=seed),
    "conv_resnet_1x1": lambda seed=0: make_conv("conv_resnet_1x1", 256, 64, 56, 1, seed=seed),
    "conv_resnet_3x3_14": lambda seed=0: make_conv("conv_resnet_3x3_14", 256, 256, 14, 3, pad=1,
                                                   seed=seed),
    "conv_resnet_3x3_7": lambda seed=0: make_conv("conv_resnet_3x3_7", 512, 512, 7, 3, pad=1,
                                                  seed=seed),
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
