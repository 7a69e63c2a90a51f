// `dlc inspect`: a model's interface, op histogram, parameter count, FLOP estimate and the ops
// dlc cannot compile yet.
#ifndef DLC_COMPILER_DRIVER_INSPECT_H
#define DLC_COMPILER_DRIVER_INSPECT_H

#include "targets/Common/Artifact.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/raw_ostream.h"

namespace dlc::driver {

/// Writes the report of a loaded (shape-inferred) model to `out`; returns the number of
/// unsupported op types found.
int inspectModel(const onnx::ModelProto &model, const std::string &path, llvm::raw_ostream &out);

/// Writes the memory plan's figures: workspace bytes, the lower bound (the largest total of
/// simultaneously live intermediates) and their ratio.
void printMemoryPlan(const targets::ModelSignature &signature, llvm::raw_ostream &out);

} // namespace dlc::driver

#endif
