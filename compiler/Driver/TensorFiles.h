// Tensor files for `dlc run`: ONNX TensorProto (.pb) and numpy (.npy) inputs, .npy outputs.
// Inputs load as TensorProto, the form the importer and the test data already use.
#ifndef DLC_COMPILER_DRIVER_TENSORFILES_H
#define DLC_COMPILER_DRIVER_TENSORFILES_H

#include "targets/Common/Artifact.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace dlc::driver {

/// Reads a .npy (numpy format 1.0-3.0, little-endian, C order) or an ONNX TensorProto file.
llvm::Expected<onnx::TensorProto> readTensorFile(const std::string &path);

/// Writes `bytes` (dense row-major) as a .npy file of `tensor`'s element type and shape.
llvm::Error writeNpy(const std::string &path, const targets::TensorSignature &tensor,
                     const std::vector<char> &bytes);

} // namespace dlc::driver

#endif
