// The interface between the importer and its per-op functions: a NodeContext gives an op
// importer its operands, attributes, inferred result types and a way to fail with a clear error.
#ifndef DLC_FRONTENDS_ONNX_OPIMPORTERS_H
#define DLC_FRONTENDS_ONNX_OPIMPORTERS_H

#include "dialects/Graph/IR/GraphOps.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace dlc::onnx_frontend {

class GraphImporter;

/// A tensor that a graph.dequantize computed from an integer one (a DequantizeLinear node with
/// constant parameters, or an op on integers the importer dequantized after): the float value
/// is (quantized - zeroPoint) * scale. The parameters as ONNX states them, read from the op's
/// !quant.uniform type.
struct Dequantized {
  mlir::Value quantized;             ///< the 8-bit integer tensor
  mlir::DenseElementsAttr scale;     ///< one value (rank 0), or one per slice along `axis`
  mlir::DenseElementsAttr zeroPoint; ///< of quantized's type; null when every one is 0
  int64_t axis = 0;                  ///< the per-axis parameters' axis of `quantized`
};

/// The constant `value` holds at import: a graph.constant's, or the floats a graph.dequantize
/// of a constant stands for (left unfolded so that integer ops find the integers); null when
/// it is not constant.
mlir::DenseElementsAttr constantOf(mlir::Value value);

/// What an op importer sees of the node it imports.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node, int64_t opset,
              mlir::Location loc);

  const onnx::NodeProto &node() const { return node_; }
  /// The opset version of the default domain the model imports.
  int64_t opset() const { return opset_; }
  mlir::Location loc() const { return loc_; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context();

  /// Number of inputs, counting trailing empty ("") optional inputs.
  int numInputs() const { return node_.input_size(); }
  /// Whether input `i` is given (optional inputs may be absent or "").
  bool hasInput(int i) const;
  /// The value of input `i` (a graph.constant for initializers and constants).
  mlir::Value input(int i);
  /// The compile-time value of input `i`, if it is an initializer (bound inputs are too) or a
  /// Constant.
  std::optional<mlir::DenseElementsAttr> constantInput(int i);
  /// The integer values of constant input `i`; fails with an error naming the operand otherwise.
  mlir::FailureOr<std::vector<int64_t>> intsInput(int i, llvm::StringRef what);
  /// The value of scalar constant input `i` (float or integer) as a double; fails with an error
  /// naming the operand otherwise.
  mlir::FailureOr<double> scalarInput(int i, llvm::StringRef what);

  bool hasAttr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  float floatAttr(llvm::StringRef name, float fallback) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef fallback) const;
  std::vector<int64_t> intsAttr(llvm::StringRef name) const;
  const onnx::AttributeProto *attr(llvm::StringRef name) const;

  /// The inferred type of output `i` (static shape): from ONNX's shape inference, or where that
  /// gave no static shape, from the op's inference function on the inputs' known shapes and
  /// values; an error when neither gives one.
  mlir::FailureOr<mlir::RankedTensorType> outputType(int i);
  /// Number of outputs the node declares (non-empty names).
  int numOutputs() const;
  /// Binds output `i` to `value`.
  void setOutput(int i, mlir::Value value);
  /// The tensors of sequence input `i`. The importer resolves sequences as it goes (lists of
  /// values), so a sequence's length and the positions read in it are compile-time values; an
  /// error naming the operand when input `i` is not such a sequence.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> sequenceInput(int i);
  /// Binds output `i` to the sequence of `elements`.
  void setSequenceOutput(int i, llvm::ArrayRef<mlir::Value> elements);
  /// The calibrated range of input `i`'s tensor, when the compilation quantizes products
  /// (--precision=int8) and the table holds it.
  std::optional<std::pair<double, double>> calibratedRange(int i);
  /// Whether the target computes 8-bit products on integer kernels (ImportOptions).
  bool integerKernels();
  /// Whether a precision plan (--precision=auto) chooses each node's format.
  bool hasPrecisionPlan();
  /// Where input `i` is a graph.dequantize's result (a DequantizeLinear with constant
  /// parameters), what it dequantized: quantized products (QDQ models) use the integers
  /// instead of the floats.
  std::optional<Dequantized> dequantizedInput(int i);
  /// Binds output `i` to `value`, a tensor computed at its largest whose size along `axis` is
  /// `count` (a rank-0 int64 tensor), known only at run time. Such a tensor may only be a graph
  /// output; a node reading it is an error.
  void setDataDependentOutput(int i, mlir::Value value, mlir::Value count, int64_t axis);
  /// Imports `graph` (a subgraph attribute of this node, reading the enclosing graph's values)
  /// in place and binds this node's outputs to the subgraph's outputs, in order.
  mlir::LogicalResult inlineSubgraph(const onnx::GraphProto &graph);
  /// Imports `graph` (a subgraph attribute of this node, reading the enclosing graph's values)
  /// at the builder's insertion point, its inputs bound to `inputs`, in a scope of its own;
  /// returns its outputs' values.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> importSubgraph(const onnx::GraphProto &graph,
                                                                 mlir::ValueRange inputs);
  /// Erases the ops of `block` (imported into it, then not wanted), with what the importer
  /// remembers of them.
  void discard(mlir::Block &block);

  /// Emits `file: node "name" (Op, opset N): message` and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &message);

  /// Creates a graph op at this node's location.
  template <typename Op, typename... Args> Op create(Args &&...args) {
    return Op::create(builder(), loc_, std::forward<Args>(args)...);
  }
  /// A graph.constant holding `attr`.
  mlir::Value constant(mlir::DenseElementsAttr attr);
  /// A graph.constant of `type` holding `values`, converted to its element type (floats round
  /// to nearest, integers and bools truncate).
  mlir::Value constant(mlir::RankedTensorType type, llvm::ArrayRef<double> values);
  /// A rank-0 constant of `type` holding `value`.
  mlir::Value scalar(mlir::Type type, double value);
  /// graph.reshape of `value` to `shape` (same element type); returns `value` if already so.
  mlir::Value reshape(mlir::Value value, llvm::ArrayRef<int64_t> shape);

private:
  /// Output `i`'s type from the op's inference function on what the importer knows of the
  /// inputs (computed once per node), or null with `why` set.
  const onnx::TypeProto *propagatedOutputType(int i, std::string &why);

  GraphImporter &importer_;
  const onnx::NodeProto &node_;
  int64_t opset_;
  mlir::Location loc_;
  std::optional<std::vector<onnx::TypeProto>> propagated_;
  std::string propagationError_;
};

/// An op importer: builds graph ops for one node and binds its outputs.
using OpImporter = mlir::LogicalResult (*)(NodeContext &);
using OpTable = llvm::StringMap<OpImporter>;

/// Each op family adds its importers to the table.
void registerElementwiseOps(OpTable &table);
void registerNeuralNetOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerReductionOps(OpTable &table);
void registerLossOps(OpTable &table);
void registerResizeOps(OpTable &table);
void registerQuantizationOps(OpTable &table);
void registerRecurrentOps(OpTable &table);
void registerSamplingOps(OpTable &table);
void registerTextOps(OpTable &table);
void registerEinsumOps(OpTable &table);
void registerIndexingOps(OpTable &table);
void registerControlFlowOps(OpTable &table);
void registerSequenceOps(OpTable &table);

/// Conv's window attributes (strides, dilations, pads or auto_pad, group) for `input` and
/// `filter`, checked, and the inferred output shape.
struct ConvWindow {
  llvm::SmallVector<int64_t> strides, dilations, pads;
  int64_t group = 1;
  llvm::SmallVector<int64_t> outputShape;
};
mlir::FailureOr<ConvWindow> convolutionWindow(NodeContext &ctx, mlir::Value input,
                                              mlir::Value filter);

/// The node's convolution of `input` by `filter` plus `bias` (optional), with Conv's attributes
/// (strides, dilations, pads or auto_pad, group), in the input's element type and the inferred
/// output shape.
mlir::FailureOr<mlir::Value> convolution(NodeContext &ctx, mlir::Value input, mlir::Value filter,
                                         mlir::Value bias);

/// The product of inputs 0 and 1 (input 1 transposed with `transposeRhs`) where both are
/// DequantizeLinear outputs and input 1 dequantizes constant weights (a QDQ model's MatMul or
/// Gemm): the integer product of what they dequantized, scaled back to float, as output 0's
/// type. std::nullopt where that does not apply (activations per tensor, a 2-D weight per
/// tensor or per column).
std::optional<mlir::Value> quantizedProduct(NodeContext &ctx, bool transposeRhs);

/// The product of inputs 0 and 1 (input 1 transposed with `transposeRhs`) computed on integers
/// from a calibration (--precision=int8): input 0 quantized to uint8 over its calibrated range,
/// input 1 (constant fp32 weights) to int8 per column at compile time, the int32 product scaled
/// back to float. std::nullopt where input 0 is not calibrated or input 1 not such a constant.
std::optional<mlir::Value> calibratedProduct(NodeContext &ctx, bool transposeRhs);

/// A Conv whose input and filter are DequantizeLinear outputs (a QDQ model's): the int8
/// convolution of what they dequantized (the input per tensor, padded with its zero point and
/// shifted to int8 when it is uint8; constant symmetric int8 filters per tensor or per
/// filter), corrected for the input's zero point and scaled back to float, plus the bias.
/// A null value where that does not apply (grouped, not 2-D, other parameters).
mlir::FailureOr<mlir::Value> quantizedConvolution(NodeContext &ctx);

/// A Conv of an input with a calibrated range by constant fp32 filters (--precision=int8 with a
/// calibration): the input quantized to uint8 over its range, the filters to int8 per filter at
/// compile time, then as quantizedConvolution. A null value where that does not apply.
mlir::FailureOr<mlir::Value> calibratedConvolution(NodeContext &ctx);

/// A MaxPool of a DequantizeLinear output with one positive scale: the max pooling of the
/// integers themselves (dequantization keeps their order), dequantized, and recorded as
/// dequantized so that a QuantizeLinear with the same parameters after it is the pooled
/// integers. std::nullopt where that does not apply.
std::optional<mlir::Value> quantizedMaxPool(NodeContext &ctx, mlir::RankedTensorType type,
                                            llvm::ArrayRef<int64_t> kernel,
                                            llvm::ArrayRef<int64_t> strides,
                                            llvm::ArrayRef<int64_t> dilations,
                                            llvm::ArrayRef<int64_t> pads);

/// Whether `opType` is one of the elementwise ops (numpy-broadcasting operands, one result).
bool isElementwise(llvm::StringRef opType);

/// Normalizes an axis in [-rank, rank) to [0, rank); std::nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The sizes of `shape` flattened to 2-D at `axis`: {product of dims before, product from axis}.
std::pair<int64_t, int64_t> flattenedSizes(llvm::ArrayRef<int64_t> shape, int64_t axis);

/// The shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value);

} // namespace dlc::onnx_frontend

#endif
