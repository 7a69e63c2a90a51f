// How the CPU passes report the strategy they chose for an op (a convolution as Winograd, a
// product on AMX tiles), which `dlc compile --stats` prints and `dlc tune` reads.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_STRATEGIES_H
#define DLC_TARGETS_CPU_TRANSFORMS_STRATEGIES_H

#include "mlir/IR/Operation.h"

#include <string>

namespace dlc::cpu {

/// Records on the function how `op` is computed and why (targets::kStrategiesAttr), with the
/// shape key, the strategy's name and the candidates for dlc tune where it has a choice. A
/// record of the same ONNX node before is replaced.
void recordStrategy(mlir::Operation *op, const std::string &strategy, const std::string &why,
                    const std::string &key = "", const std::string &name = "",
                    llvm::ArrayRef<std::string> candidates = {});

} // namespace dlc::cpu

#endif
