// What `dlc compile` writes: a library + header on disk (all or nothing), or one intermediate
// form. Runs in process live in Execute.h.
#ifndef DLC_COMPILER_DRIVER_ARTIFACTS_H
#define DLC_COMPILER_DRIVER_ARTIFACTS_H

#include "compiler/Driver/Compilation.h"

#include <string>

namespace dlc::driver {

/// Writes DIR/libNAME.a and DIR/NAME.h for a model compiled to an object. Both files appear
/// together or not at all: they are written to temporaries and renamed at the end. Failures
/// are reported at `modelPath`.
mlir::LogicalResult writeLibrary(mlir::MLIRContext &context, const std::string &modelPath,
                                 const CompiledModel &model, const std::string &outputDir);

/// Writes `contents` to `path` through a temporary file and a rename ("-" means stdout).
mlir::LogicalResult writeOutputFile(mlir::MLIRContext &context, const std::string &modelPath,
                                    const std::string &path, const std::string &contents);

} // namespace dlc::driver

#endif
