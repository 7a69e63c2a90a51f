// Op definitions of the graph dialect, grouped by family: constants, elementwise, contractions,
// windows (conv/pool), reductions, data movement.
#ifndef DLC_GRAPH_OPS
#define DLC_GRAPH_OPS

include "dialects/Graph/IR/GraphDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Graph_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def Graph_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;
def Graph_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor constant (weights, folded values)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Binary ops broadcast their operands numpy-style (trailing dimensions aligned, size-1 dimensions
// stretched); the result shape is the broadcast shape.
class Graph_BinaryOp<string mnemonic, string what> : Graph_Op<mnemonic, [Pure,
    SameOperandsAndResultElementType]> {
  let summary = "Elementwise " # what # " with numpy broadcasting";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_AddOp : Graph_BinaryOp<"add", "addition"> {
  let hasFolder = 1;
}
def Graph_SubOp : Graph_BinaryOp<"sub", "subtraction"> {
  let hasFolder = 1;
}
def Graph_MulOp : Graph_BinaryOp<"mul", "multiplication"> {
  let hasFolder = 1;
}
def Graph_DivOp : Graph_BinaryOp<"div", "division (integer division truncates)"> {
  let hasFolder = 1;
}
def Graph_MaxOp : Graph_BinaryOp<"max", "maximum"> {
  let hasFolder = 1;
}
def Graph_MinOp : Graph_BinaryOp<"min", "minimum"> {
  let hasFolder = 1;
}

// Pow allows a different exponent type (ONNX Pow-12+), so it is not a Graph_BinaryOp.
def Graph_PowOp : Graph_Op<"pow", [Pure]> {
  let summary = "Elementwise power with numpy broadcasting";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Graph_UnaryOp<string mnemonic, string what, Type type = Graph_Tensor>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # what;
  let arguments = (ins type:$input);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_ReluOp : Graph_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def Graph_NegOp : Graph_UnaryOp<"neg", "negation"> {
  let hasFolder = 1;
}
def Graph_AbsOp : Graph_UnaryOp<"abs", "absolute value"> {
  let hasFolder = 1;
}
def Graph_SigmoidOp : Graph_UnaryOp<"sigmoid", "1 / (1 + exp(-x))", Graph_FloatTensor>;
def Graph_TanhOp : Graph_UnaryOp<"tanh", "hyperbolic tangent", Graph_FloatTensor>;
def Graph_ErfOp : Graph_UnaryOp<"erf", "error function", Graph_FloatTensor>;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt", "square root", Graph_FloatTensor>;
def Graph_ExpOp : Graph_UnaryOp<"exp", "exponential", Graph_FloatTensor>;
def Graph_LogOp : Graph_UnaryOp<"log", "natural logarithm", Graph_FloatTensor>;
def Graph_FloorOp : Graph_UnaryOp<"floor", "rounding toward -inf", Graph_FloatTensor> {
  let hasFolder = 1;
}
def Graph_CeilOp : Graph_UnaryOp<"ceil", "rounding toward +inf", Graph_FloatTensor> {
  let hasFolder = 1;
}
def Graph_RoundOp : Graph_UnaryOp<"round", "rounding to the nearest integer, halves to even",
                                  Graph_FloatTensor> {
  let hasFolder = 1;
}
def Graph_SinOp : Graph_UnaryOp<"sin", "sine", Graph_FloatTensor>;
def Graph_CosOp : Graph_UnaryOp<"cos", "cosine", Graph_FloatTensor>;
def Graph_TanOp : Graph_UnaryOp<"tan", "tangent", Graph_FloatTensor>;
def Graph_AsinOp : Graph_UnaryOp<"asin", "arcsine", Graph_FloatTensor>;
def Graph_AcosOp : Graph_UnaryOp<"acos", "arccosine", Graph_FloatTensor>;
def Graph_AtanOp : Graph_UnaryOp<"atan", "arctangent", Graph_FloatTensor>;
def Graph_SinhOp : Graph_UnaryOp<"sinh", "hyperbolic sine", Graph_FloatTensor>;
def Graph_CoshOp : Graph_UnaryOp<"cosh", "hyperbolic cosine", Graph_FloatTensor>;
def Graph_AsinhOp : Graph_UnaryOp<"asinh", "inverse hyperbolic sine", Graph_FloatTensor>;
def Graph_AcoshOp : Graph_UnaryOp<"acosh", "inverse hyperbolic cosine", Graph_FloatTensor>;
def Graph_AtanhOp : Graph_UnaryOp<"atanh", "inverse hyperbolic tangent", Graph_FloatTensor>;
def Graph_SignOp : Graph_UnaryOp<"sign", "sign: -1, 0 or 1 (NaN stays NaN)">;
def Graph_NotOp : Graph_UnaryOp<"not", "logical negation", Graph_BoolTensor>;

def Graph_IsNaNOp : Graph_Op<"is_nan", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise test for NaN";
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Graph_IsInfOp : Graph_Op<"is_inf", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise test for infinities: -inf when `negative`, +inf when `positive`";
  let arguments = (ins Graph_FloatTensor:$input, BoolAttr:$negative, BoolAttr:$positive);
  let results = (outs Graph_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

// Comparisons broadcast like the binary ops; the result is i1. Floats compare ordered (false when
// either side is NaN); unsigned integers compare as unsigned.
class Graph_CompareOp<string mnemonic, string what> : Graph_Op<mnemonic, [Pure,
    SameOperandsElementType]> {
  let summary = "Elementwise " # what # " with numpy broadcasting, giving i1";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_BoolTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_EqualOp : Graph_CompareOp<"equal", "lhs == rhs">;
def Graph_LessOp : Graph_CompareOp<"less", "lhs < rhs">;
def Graph_LessEqualOp : Graph_CompareOp<"less_equal", "lhs <= rhs">;
def Graph_GreaterOp : Graph_CompareOp<"greater", "lhs > rhs">;
def Graph_GreaterEqualOp : Graph_CompareOp<"greater_equal", "lhs >= rhs">;

def Graph_AndOp : Graph_BinaryOp<"and", "bitwise and (logical and of i1)">;
def Graph_OrOp : Graph_BinaryOp<"or", "bitwise or (logical or of i1)">;
def Graph_XorOp : Graph_BinaryOp<"xor", "bitwise exclusive or (of i1: inequality)">;
def Graph_ShiftLeftOp : Graph_BinaryOp<"shift_left", "left shift of integers">;
def Graph_ShiftRightOp : Graph_BinaryOp<"shift_right",
                                        "right shift of integers (logical for unsigned ones)">;

def Graph_ModOp : Graph_Op<"mod", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Elementwise remainder with numpy broadcasting";
  let description = [{
    With `fmod`, the remainder of truncated division (C's fmod: the sign of the dividend);
    without it (integers only), the remainder of floored division (the sign of the divisor,
    as Python's %).
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs, BoolAttr:$fmod);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_SelectOp : Graph_Op<"select", [Pure]> {
  let summary = "Elementwise `condition ? on_true : on_false`, all three broadcast numpy-style";
  let arguments = (ins Graph_BoolTensor:$condition, Graph_Tensor:$on_true,
                   Graph_Tensor:$on_false);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ClipOp : Graph_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise clamp to [min, max]; a missing bound does not clamp";
  let arguments = (ins Graph_Tensor:$input, OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_CastOp : Graph_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to the result's element type";
  let description = [{
    Float to integer truncates toward zero; integer to bool and float to bool compare with zero;
    integers are sign-extended.
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

// The parameters of a quantized tensor: an upstream `!quant.uniform` type, per tensor
// (`!quant.uniform<u8:f32, 0.05:128>`) or per axis (`!quant.uniform<i8:f32:0, {0.1, 0.2}>`).
// Its storage type (width and signedness) is the integer tensor's element type, its expressed
// type the float tensor's.
def Graph_QuantizationAttr : TypeAttrBase<"::mlir::quant::QuantizedType",
                                          "a !quant.uniform type (per tensor or per axis)">;

def Graph_QuantizeOp : Graph_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Float to quantized integers: saturate(round(x / scale) + zero_point)";
  let description = [{
    Rounds half to even and saturates to the storage type's range, as ONNX's QuantizeLinear
    (upstream `quant.qcast` lowers by truncation, so dlc lowers this op itself:
    `dlc-lower-quantization`). Per axis, element i along `axis` uses the i-th scale and zero
    point. A scale of 1 and zero point 0 quantize a value already in the integers' units (a
    requantization the importer folded into the product before it).

    ```mlir
    %q = graph.quantize %x by !quant.uniform<u8:f32, 0.05:128> : tensor<64xf32> -> tensor<64xui8>
    ```

    Quantizing what a `graph.dequantize` of the same parameters produced gives its integers
    back (the fold). A requantization, the quantization per tensor of `y * a + b` with `a` a
    constant (a quantized product scaled back to float, plus a bias or a residual), becomes
    the quantization by a scale of 1 of `y * (a / scale) + (b / scale + zero_point)`: one
    multiply and one add per element, as onnxruntime's QLinearConv requantizes (the
    canonicalization; a per-tensor `graph.dequantize` counts as `(q - z) * s`).
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_QuantizationAttr:$quantization);
  let results = (outs Graph_Tensor:$result);
  let hasCanonicalizer = 1;
  let builders = [OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
                                 "::mlir::quant::QuantizedType":$quantization), [{
    build($_builder, $_state, result, input, ::mlir::TypeAttr::get(quantization));
  }]>];
  let assemblyFormat = [{
    $input `by` $quantization attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_DequantizeOp : Graph_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantized integers to float: (q - zero_point) * scale";
  let description = [{
    The value the integers stand for, in the quantization's expressed type. The importer
    writes one for each ONNX DequantizeLinear with constant parameters; an op that can compute
    on the integers themselves (a convolution, a product, max pooling) reads its operand.

    ```mlir
    %x = graph.dequantize %q by !quant.uniform<i8:f32:0, {0.1, 0.2}> : tensor<2xi8> -> tensor<2xf32>
    ```

    Of a constant it folds to the float constant.
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_QuantizationAttr:$quantization);
  let results = (outs Graph_FloatTensor:$result);
  let builders = [OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
                                 "::mlir::quant::QuantizedType":$quantization), [{
    build($_builder, $_state, result, input, ::mlir::TypeAttr::get(quantization));
  }]>];
  let assemblyFormat = [{
    $input `by` $quantization attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product with broadcasting batch dimensions";
  let description = [{
    `lhs: [B..., M, K] x rhs: [B'..., K, N] -> [broadcast(B, B')..., M, N]`. Both operands have
    rank >= 2; the importer turns ONNX's rank-1 operands into matrices and back.

    The result's element type is the type the products are summed in. It is the operands'
    type, int32 for 8-bit integer operands (int8 or uint8, each extended by its own
    signedness: the integer product that quantized models compute), or f32 for bf16 operands
    (a product compiled with `--precision=bf16`).
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Windowed ops: convolution and pooling over N spatial dimensions
//===----------------------------------------------------------------------===//

def Graph_ConvOp : Graph_Op<"conv", [Pure]> {
  let summary = "Grouped N-d convolution (cross-correlation), channels first";
  let description = [{
    `input: [N, C, D1..Dk]`, `filter: [F, C/group, K1..Kk]`, optional `bias: [F]`, result
    `[N, F, O1..Ok]` with `Oi = (Di + pad_begin_i + pad_end_i - dil_i*(Ki-1) - 1) / stride_i + 1`.
    `pads` holds the k begin paddings followed by the k end paddings (ONNX order).

    The result's element type is the type the products are summed in: the operands' float
    type, int32 for int8 operands (a quantized convolution: the importer pads the input with
    its zero point and applies the zero points and scales around the op, so it has no pads of
    its own and no bias), or f32 for bf16 operands (a convolution compiled with
    `--precision=bf16`). int8 and bf16 convolutions are ungrouped or depthwise (`group` = C = F).
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_Tensor:$filter,
                   Optional<Graph_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads, I64Attr:$group);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Graph_PoolOp<string mnemonic, string what> : Graph_Op<mnemonic, [Pure,
    SameOperandsAndResultElementType]> {
  let summary = what # " pooling over the spatial dimensions of [N, C, D1..Dk]";
  let description = [{
    Windows of `kernel` with `strides`, `dilations` and `pads` (k begin then k end paddings). The
    result's spatial sizes are given by its type; they may include one extra window at the end
    (ONNX ceil_mode), which reads only padding past the last pad.
  }];
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_MaxPoolOp : Graph_PoolOp<"max_pool", "Max"> {
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads);
}

def Graph_AvgPoolOp : Graph_PoolOp<"avg_pool", "Average"> {
  let arguments = (ins Graph_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads, BoolAttr:$count_include_pad);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Graph_ReduceOp<string mnemonic, string what> : Graph_Op<mnemonic, [Pure,
    SameOperandsAndResultElementType]> {
  let summary = what # " over `axes` (sorted, non-negative); `keepdims` keeps them as size 1";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "Sum">;
def Graph_ReduceMeanOp : Graph_ReduceOp<"reduce_mean", "Mean">;
def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "Maximum">;
def Graph_ReduceMinOp : Graph_ReduceOp<"reduce_min", "Minimum">;
def Graph_ReduceProdOp : Graph_ReduceOp<"reduce_prod", "Product">;

class Graph_ArgReduceOp<string mnemonic, string what> : Graph_Op<mnemonic, [Pure]> {
  let summary = "Index (int64) of the " # what # " along a non-negative `axis`";
  let description = [{
    Among equal extremes the first index is taken, or the last with `last`; `keepdims` keeps
    the axis as size 1. NaNs are not treated specially.
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims, BoolAttr:$last);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_ArgMaxOp : Graph_ArgReduceOp<"arg_max", "maximum">;
def Graph_ArgMinOp : Graph_ArgReduceOp<"arg_min", "minimum">;

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "exp(x - max) / sum(exp(x - max)) along one axis (non-negative)";
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Reinterprets the row-major elements with the result's shape";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_BroadcastOp : Graph_Op<"broadcast", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Numpy-broadcasts the input to the result's shape (ONNX Expand, Tile)";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Permutes dimensions: result dim i is input dim perm[i]";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_ConcatOp : Graph_Op<"concat", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Joins tensors along a (non-negative) axis";
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_SliceOp : Graph_Op<"slice", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Strided slice: result[i] = input[starts + i * steps] per dimension";
  let description = [{
    `starts` and `steps` have one entry per dimension (steps may be negative); the result type
    gives the number of elements taken along each dimension. Starts are already clamped and
    non-negative, so every index read is in bounds.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$steps);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_PadOp : Graph_Op<"pad", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Pads each dimension: `low` before, `high` after, `interior` between elements";
  let description = [{
    Result dimension d has `low[d] + in[d] + interior[d] * (in[d] - 1) + high[d]` elements
    (all three non-negative). `mode` says what the new elements hold: "constant" fills them
    with `value` (of the element type); "edge" repeats the nearest input element; "reflect"
    mirrors the input about its first and last elements (then `low` and `high` must be smaller
    than the dimension). Interior padding (ONNX ConvTranspose's strides) is constant-only.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high,
                   DenseI64ArrayAttr:$interior, StrAttr:$mode, TypedAttrInterface:$value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_GatherOp : Graph_Op<"gather", [Pure]> {
  let summary = "Takes slices of `data` along `axis` at `indices` (negative ones count from the end)";
  let description = [{
    `data: [D0..Dr-1]`, `indices: [I...]` -> `[D0..D(axis-1), I..., D(axis+1)..]`. An index
    outside [-D_axis, D_axis) is clamped, since generated code must not read out of bounds.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_GatherElementsOp : Graph_Op<"gather_elements", [Pure]> {
  let summary = "Takes one element of `data` along `axis` per element of `indices`";
  let description = [{
    `result[i0..ir-1] = data[i0.., indices[i0..ir-1], ..ir-1]`, the index replacing dimension
    `axis`. `indices` has the rank of `data` and is no larger in any other dimension; the result
    has its shape. Negative indices count from the end, and indices out of range are clamped.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ScatterElementsOp : Graph_Op<"scatter_elements", [Pure]> {
  let summary = "Writes each element of `updates` into a copy of `data` along `axis`";
  let description = [{
    `result = data`, then for each position `p` of `indices` (in row-major order)
    `result[p0.., indices[p], ..pr-1] = updates[p]`, the index replacing dimension `axis`, or,
    with a `reduction` other than "none", combined with what is there by "add", "mul", "max" or
    "min". `indices` and `updates` have one shape, in the rank of `data` and no larger in any
    other dimension. Negative indices count from the end, and indices out of range are clamped,
    since generated code must not write out of bounds.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, Graph_Tensor:$updates,
                   I64Attr:$axis, StrAttr:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_ScatterNDOp : Graph_Op<"scatter_nd", [Pure]> {
  let summary = "Writes slices of `updates` into a copy of `data` at k-tuples of `indices`";
  let description = [{
    `data: [D0..Dr-1]`, `indices: [Q..., k]` (k <= r), `updates: [Q..., Dk..Dr-1]`. `result =
    data`, then for each position `q` of Q (in row-major order) the slice
    `result[indices[q, 0], .., indices[q, k-1], ...]` becomes `updates[q, ...]`, or, with a
    `reduction` other than "none", is combined with it elementwise ("add", "mul", "max",
    "min"). Indices wrap and clamp per dimension as in scatter_elements.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, Graph_Tensor:$updates,
                   StrAttr:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_TopKOp : Graph_Op<"top_k", [Pure]> {
  let summary = "The `k` largest (or smallest) elements along `axis`, sorted, and their indices";
  let description = [{
    Along the non-negative `axis`, position j of `values` holds the element that j others
    precede, an element preceding another when it is larger (smaller unless `largest`) or equal
    and at a lower index; `indices` (int64) holds where it came from. NaN counts as larger than
    every number. Both results have the input's shape with the axis of size `k`.
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, I64Attr:$k, BoolAttr:$largest);
  let results = (outs Graph_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($values) `,` type($indices)";
  let hasVerifier = 1;
}

def Graph_NonZeroOp : Graph_Op<"nonzero", [Pure]> {
  let summary = "The indices of the nonzero elements, in row-major order, and how many there are";
  let description = [{
    `indices` has one row per input dimension and one column per input element: column j holds
    the index of the j-th nonzero element (row-major order) for j < `count`, zero after. How
    many columns hold indices is known only when the data is: an output of this shape is a
    tensor whose size along axis 1 is data-dependent, bounded by the input's element count.
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$indices, 0DTensorOf<[I64]>:$count);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($indices) `,` type($count)";
  let hasVerifier = 1;
}

def Graph_UniqueOp : Graph_Op<"unique", [Pure]> {
  let summary = "The distinct rows of a matrix, where each first occurs, and how often";
  let description = [{
    Of the rows of `input` ([N, S]), the `count` distinct ones (rows equal element by element),
    in the order of their first occurrence, or, with `sorted`, in ascending lexicographic order.
    Row j < `count` of `values` ([N, S]) is the j-th distinct row, `indices[j]` where it first
    occurs in the input and `counts[j]` how often it occurs; the rest is zero. `inverse[i]` is
    the position in `values` of input row i. How many rows hold values is known only when the
    data is: results of this shape are tensors whose size along axis 0 is data-dependent,
    bounded by N. (ONNX's Unique without an axis is this op on its flattened input as [N, 1];
    with an axis, on the input with that axis first and the others flattened.)
  }];
  let arguments = (ins Graph_Tensor:$input, BoolAttr:$sorted);
  let results = (outs Graph_Tensor:$values, RankedTensorOf<[I64]>:$indices,
                      RankedTensorOf<[I64]>:$inverse, RankedTensorOf<[I64]>:$counts,
                      0DTensorOf<[I64]>:$count);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices) `,` type($inverse)
    `,` type($counts) `,` type($count)
  }];
  let hasVerifier = 1;
}

def Graph_NonMaxSuppressionOp : Graph_Op<"non_max_suppression", [Pure]> {
  let summary = "Greedy non-maximum suppression per batch and class, and how many boxes it kept";
  let description = [{
    For each batch b and class c in order, boxes ([B, N, 4]) are taken by decreasing score
    ([B, C, N]; among equal scores the lower index first) while their score exceeds
    `score_threshold` and fewer than `max_per_class` were taken; a box is skipped when its
    intersection over union with one taken before in the same class exceeds `iou_threshold`.
    Row j < `count` of `selected` is [b, c, box index] of the j-th box taken; the rest is zero.
    Boxes are [y1, x1, y2, x2] corners (either order) or, with `center_point_box`, [x center,
    y center, width, height].
  }];
  let arguments = (ins Graph_Tensor:$boxes, Graph_Tensor:$scores, I64Attr:$max_per_class,
                   F64Attr:$iou_threshold, OptionalAttr<F64Attr>:$score_threshold,
                   BoolAttr:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$selected, 0DTensorOf<[I64]>:$count);
  let assemblyFormat = "$boxes `,` $scores attr-dict `:` type($boxes) `,` type($scores) `->` "
                       "type($selected) `,` type($count)";
  let hasVerifier = 1;
}

#endif // DLC_GRAPH_OPS
