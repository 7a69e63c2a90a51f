// The two things a compiled model becomes: a library + header on disk (`dlc compile`), or an
// in-process run on tensor files (`dlc run`). Both use the same generated object.
#ifndef DLC_COMPILER_DRIVER_ARTIFACTS_H
#define DLC_COMPILER_DRIVER_ARTIFACTS_H

#include "compiler/Driver/Compilation.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::driver {

/// Writes DIR/libNAME.a and DIR/NAME.h for a compilation at phase llvm. Both files appear
/// together or not at all: they are written to temporaries and renamed at the end.
mlir::LogicalResult writeLibrary(Compilation &compilation, const std::string &outputDir);

/// Writes `contents` to `path` through a temporary file and a rename ("-" means stdout).
mlir::LogicalResult writeOutputFile(Compilation &compilation, const std::string &path,
                                    const std::string &contents);

/// Compiles the model at `modelPath` for the host and runs it on `inputs` (graph-input names
/// to tensors), writing output_<k>.npy files into `outputDir`. Inputs that feed compile-time
/// operands (Reshape shapes, Slice bounds, ...) are bound as constants first.
mlir::LogicalResult runModel(mlir::MLIRContext &context, const std::string &modelPath,
                             const std::vector<std::pair<std::string, std::string>> &inputFiles,
                             const std::string &outputDir);

} // namespace dlc::driver

#endif
