// What the back end knows of a compiled model: its C name, tensor signature and workspace.
// The header writer and the run command both read it.
#ifndef DLC_TARGETS_COMMON_ARTIFACT_H
#define DLC_TARGETS_COMMON_ARTIFACT_H

#include "mlir/IR/Types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::targets {

/// One graph input or output as the generated entry point sees it.
struct TensorSignature {
  std::string name;           ///< the ONNX name
  mlir::Type elementType;     ///< f32, i64, i1, ...
  std::vector<int64_t> shape; ///< static, row-major

  int64_t numElements() const;
  int64_t numBytes() const;
};

/// The compiled model's interface.
struct ModelSignature {
  std::string name;       ///< C identifier prefixing every symbol
  std::string sourcePath; ///< the model file, for the header's comment
  std::string target;     ///< target name, for the header's comment
  std::vector<TensorSignature> inputs, outputs;
  int64_t workspaceSize = 0;       ///< bytes the caller provides (includes alignment slack)
  int64_t workspaceLowerBound = 0; ///< largest total of simultaneously live intermediates
};

/// Bytes added to the planned workspace so the entry point can align it to 64 bytes.
inline constexpr int64_t kWorkspaceAlignmentSlack = 64;

/// The name of the generated function holding the model's computation.
std::string graphFunctionName(const std::string &modelName);

} // namespace dlc::targets

#endif
