// The dlc-cpu-hoist-vector-transfers pass: keeps vector accumulators in registers across loops
// by hoisting loop-invariant transfer_read/transfer_write pairs (upstream linalg hoisting).
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_HOISTVECTORTRANSFERSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

struct HoistVectorTransfersPass : impl::HoistVectorTransfersPassBase<HoistVectorTransfersPass> {
  void runOnOperation() override { mlir::linalg::hoistRedundantVectorTransfers(getOperation()); }
};

} // namespace
} // namespace dlc::cpu
