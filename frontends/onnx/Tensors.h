// Conversions between ONNX tensors/types and MLIR types and attributes.
// Used by the importer (initializers, Constant nodes) and by `dlc run` (input files).
#ifndef DLC_FRONTENDS_ONNX_TENSORS_H
#define DLC_FRONTENDS_ONNX_TENSORS_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace dlc::onnx_frontend {

/// The MLIR element type of an ONNX TensorProto::DataType, or a null Type when dlc does not
/// support it (strings, complex types).
mlir::Type elementType(int32_t onnxType, mlir::MLIRContext *ctx);

/// The ONNX data type's name as ONNX spells it (FLOAT, INT64, ...).
std::string onnxTypeName(int32_t onnxType);
/// The ONNX name of the element type that `type` imports from (UINT8 for ui8, ...), or the MLIR
/// spelling where no ONNX type maps to it.
std::string onnxTypeName(mlir::Type type);

/// Bytes per element of an ONNX TensorProto::DataType (0 for strings and unknown types).
int64_t onnxTypeBytes(int32_t onnxType);

/// Bytes per element of an MLIR element type as stored in dense row-major buffers.
int64_t storageBytes(mlir::Type type);

/// The tensor's contents as a DenseElementsAttr (data already resolved from external files).
llvm::Expected<mlir::DenseElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                                     mlir::MLIRContext *ctx);

/// The raw row-major bytes of `attr` in the layout generated code reads (bools as one byte).
std::vector<char> attrToBytes(mlir::DenseElementsAttr attr);

/// The integer values of an integer-typed attribute.
std::vector<int64_t> attrToInts(mlir::DenseElementsAttr attr);

} // namespace dlc::onnx_frontend

#endif
