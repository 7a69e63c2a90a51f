// The graph dialect: dlc's normalized, value-semantic tensor op set.
// Importers produce it; compiler/ passes rewrite it; targets lower it to linalg.
#ifndef DLC_GRAPH_DIALECT
#define DLC_GRAPH_DIALECT

include "mlir/IR/OpBase.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::dlc::graph";
  let summary = "Normalized deep-learning graph ops on ranked tensors";
  let description = [{
    Ops take and return ranked tensors with value semantics. The op set is a normalized subset of
    what frontends offer: ONNX variants that differ only by opset (attributes vs. operands, legacy
    broadcasting) are resolved by the importer, and composite ops that have a canonical expansion
    (Gemm, BatchNormalization, LayerNormalization, Flatten, Squeeze) are imported as that expansion,
    so each op here has exactly one meaning and one lowering.

    Element types are builtin: f32, f64, f16, bf16, signless integers i1 (bool) to i64 for ONNX's
    signed integers, ui8 to ui64 for its unsigned ones. Quantized tensors are integer tensors
    whose scales and zero points an upstream `!quant.uniform` type states, on the ops that
    convert them (`graph.quantize`, `graph.dequantize`). Sharding will be expressed with the
    upstream `shard` dialect's annotations on these values, not by new graph ops.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

#endif // DLC_GRAPH_DIALECT
