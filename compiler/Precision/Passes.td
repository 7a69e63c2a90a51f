// Precision passes: which number format each op of the graph computes in. Pipelines in
// compiler/Pipelines decide where they run; the target says which formats pay off.
#ifndef DLC_COMPILER_PRECISION_PASSES
#define DLC_COMPILER_PRECISION_PASSES

include "mlir/Pass/PassBase.td"

def ChoosePrecisionPass : Pass<"dlc-choose-precision", "mlir::func::FuncOp"> {
  let summary = "Gives matrix products with constant weights bf16 operands summed in fp32";
  let description = [{
    With `precision=bf16`, a `graph.matmul` of f32 operands whose right-hand side is a
    constant (a layer's weights) takes bf16 operands and keeps its f32 result, the type its
    products are summed in: the weights are rounded to bf16 at compile time (to nearest, ties
    to even) and the left-hand side is cast to bf16 before the product.

    ```mlir
    %y = graph.matmul %x, %w : (tensor<64x256xf32>, tensor<256x512xf32>) -> tensor<64x512xf32>
    // becomes
    %xb = graph.cast %x : tensor<64x256xf32> to tensor<64x256xbf16>
    %y = graph.matmul %xb, %wb : (tensor<64x256xbf16>, tensor<256x512xbf16>) -> tensor<64x512xf32>
    ```

    A 2-D `graph.conv` with constant f32 filters, ungrouped or depthwise (one input and one
    output channel per group), takes bf16 input and filters alike.

    Everything else stays in fp32: softmax, normalizations, reductions, exp and log, and the
    elementwise ops around the products (bias, activation, residual), which read the products'
    f32 results. With `precision=fp32` the pass changes nothing. With `precision=mixed` it
    converts only the products whose ONNX node (the op's location) the function's
    `dlc.precision_plan` attribute names `"bf16"` (the importer has computed the `"int8"`
    ones on integers).

    Either way it lists, in the graph function's `dlc.precisions` attribute, each product and
    convolution with the format it computes in and why (`dlc compile --stats` prints it).
  }];
  let options = [Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
                        "The format of the products' operands: fp32, bf16, int8 (chosen by the "
                        "importer from a calibration; nothing to do here but the report), or "
                        "mixed (per node, as the function's dlc.precision_plan says)">];
}

def LowerQuantizationPass : Pass<"dlc-lower-quantization", "mlir::func::FuncOp"> {
  let summary = "Expands graph.quantize and graph.dequantize into graph arithmetic";
  let description = [{
    What no op read as integers is computed from the `!quant.uniform` parameters the ops
    carry: dequantization as `(cast(q) - zero_point) * scale` in the expressed type, and
    quantization as ONNX's QuantizeLinear, `cast(clip(round(x / scale) + zero_point, min,
    max))` (round half to even, saturation before the conversion). Per-axis parameters become
    constants shaped to broadcast along the axis; a zero point of 0 and a scale of 1 are left
    out.

    ```mlir
    %x = graph.dequantize %q by !quant.uniform<u8:f32, 0.5:128> : tensor<4xui8> -> tensor<4xf32>
    // becomes
    %f = graph.cast %q : tensor<4xui8> to tensor<4xf32>
    %s = graph.sub %f, %zero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>    // %zero = 128.0
    %x = graph.mul %s, %scale : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>   // %scale = 0.5
    ```

    Upstream's `lower-quant-ops` is not used: it converts `quant.qcast` by truncation and
    clamps after the conversion, and its storage casts take signless integers where the
    graph keeps ONNX's unsigned ones.
  }];
}

#endif // DLC_COMPILER_PRECISION_PASSES
