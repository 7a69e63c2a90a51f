// What the back end knows of a compiled model: its C name, tensor signature and workspace.
// The header writer and the run command both read it.
#ifndef DLC_TARGETS_COMMON_ARTIFACT_H
#define DLC_TARGETS_COMMON_ARTIFACT_H

#include "mlir/IR/Types.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace dlc::targets {

/// One generated file: an object file of the library (its member name and bytes), or a text.
struct ObjectFile {
  std::string name;
  std::string bytes;
};

/// One graph input or output as the generated entry point sees it.
struct TensorSignature {
  std::string name;           ///< the ONNX name
  mlir::Type elementType;     ///< f32, i64, i1, ...
  std::vector<int64_t> shape; ///< static, row-major
  /// For an output whose size along one axis depends on the data (NonZero's): that axis, where
  /// `shape` holds the largest size; -1 otherwise.
  int64_t dataDependentAxis = -1;
  /// With a data-dependent axis: which of the run's recorded sizes is its size there.
  int64_t sizeSlot = -1;

  int64_t numElements() const;
  int64_t numBytes() const;
};

/// A symbolic dimension of a model compiled for bounded shapes: the run takes its value, one of
/// min, min + step, ..., max.
struct SymbolicDim {
  std::string name; ///< the ONNX dim_param, or INPUT_dimK for an anonymous one
  int64_t min = 1, max = 1, step = 1; ///< (max - min) is a multiple of step

  int64_t numValues() const { return (max - min) / step + 1; }
};

/// One static compilation of a model compiled for bounded shapes.
struct Specialization {
  std::vector<int64_t> dimValues; ///< the value of each symbolic dimension, in order
  std::string graphFunction;      ///< the function computing it
  std::vector<std::vector<int64_t>> outputShapes;
};

/// The compiled model's interface.
struct ModelSignature {
  std::string name;       ///< C identifier prefixing every symbol
  std::string sourcePath; ///< the model file, for the header's comment
  std::string target;     ///< target name, for the header's comment
  /// Static shapes; for a model with symbolic dimensions, the largest shapes it accepts.
  std::vector<TensorSignature> inputs, outputs;
  int64_t workspaceSize = 0;       ///< bytes the caller provides (includes alignment slack)
  int64_t workspaceLowerBound = 0; ///< largest total of simultaneously live intermediates
  /// Symbolic dimensions, empty for a model compiled for one shape. Otherwise the entry point
  /// takes their values and calls the specialization compiled for them; specializations are
  /// ordered with the last dimension's value varying fastest, from all minima to all maxima.
  std::vector<SymbolicDim> dims;
  std::vector<Specialization> specializations;
  /// For each input: its dimensions' indices in `dims`, -1 where the dimension is static.
  std::vector<std::vector<int>> inputDims;
  /// A data-parallel compilation (dlc compile --devices/--ranks): the ranks that each run this
  /// library on their rows of the batch (1: none), and the plan in words.
  int64_t ranks = 1;
  std::string parallelPlan;
  /// The model's metadata (ONNX metadata_props) as key and value, in file order: what an
  /// exporter attached for the application, such as a recognizer's character list.
  std::vector<std::pair<std::string, std::string>> metadata;

  /// Per matrix product and convolution: the node, the number format it computes in and why
  /// (for --stats and dlc inspect).
  struct PrecisionChoice {
    std::string node, format, why;
  };
  std::vector<PrecisionChoice> precisions;

  /// Per op the target chose a strategy for (kStrategiesAttr): the node, the strategy and why;
  /// where dlc tune can choose for it, its shape key, the strategy's name and the candidates.
  struct StrategyChoice {
    std::string node, strategy, why;
    std::string key, name;
    std::vector<std::string> candidates;
  };
  std::vector<StrategyChoice> strategies;

  /// Where, in the aligned workspace, a run records the sizes of outputs with a data-dependent
  /// axis (one int64 per slot; outputs of one op may share a slot); NAME_result_shape reads them.
  int64_t resultSizesOffset = 0;

  bool hasSymbolicDims() const { return !dims.empty(); }
  /// The outputs whose size along one axis is known only after a run.
  int64_t numDataDependentOutputs() const {
    int64_t count = 0;
    for (const TensorSignature &output : outputs)
      count += output.dataDependentAxis >= 0;
    return count;
  }
  /// The sizes a run records (outputs of one op share one): slots 0 to this.
  int64_t numResultSizes() const {
    int64_t slots = 0;
    for (const TensorSignature &output : outputs)
      slots = std::max(slots, output.sizeSlot + 1);
    return slots;
  }
};

/// Bytes added to the planned workspace so the entry point can align it to 64 bytes.
inline constexpr int64_t kWorkspaceAlignmentSlack = 64;

/// The name of the generated function holding the model's computation.
std::string graphFunctionName(const std::string &modelName);

} // namespace dlc::targets

#endif
