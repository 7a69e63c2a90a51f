// dlc's own shape propagation: one node's output types from its op schema's inference function,
// given the static types and compile-time values the importer already knows for its inputs.
#ifndef DLC_FRONTENDS_ONNX_NODESHAPES_H
#define DLC_FRONTENDS_ONNX_NODESHAPES_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <vector>

namespace dlc::onnx_frontend {

/// What the importer knows of one node input: its value (null when the optional input is
/// absent) and, when known at compile time, its contents.
struct KnownInput {
  mlir::Value value;
  std::optional<mlir::DenseElementsAttr> contents;
};

/// The types of `node`'s outputs as the ONNX op schema (of `opset`) infers them from `inputs`.
/// ONNX's whole-model inference stops where a shape is computed by ops its data propagation does
/// not follow (a Cast of Shape's result, arithmetic on it); the importer has folded those values
/// to constants by the time it reaches the node, so the schema's own function, given them,
/// finishes the job. An error says why inference failed.
llvm::Expected<std::vector<onnx::TypeProto>>
inferNodeOutputTypes(const onnx::NodeProto &node, int64_t opset,
                     const std::vector<KnownInput> &inputs);

} // namespace dlc::onnx_frontend

#endif
