// The dlc-convert-memref-copy-to-linalg pass: every memref.copy becomes a linalg.copy, so copies
// lower to loops instead of calls into MLIR's runner library (see Passes.td).
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace dlc::conversion {

#define GEN_PASS_DEF_CONVERTMEMREFCOPYTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"

namespace {

struct ConvertMemRefCopyToLinalgPass
    : impl::ConvertMemRefCopyToLinalgPassBase<ConvertMemRefCopyToLinalgPass> {
  void runOnOperation() override {
    getOperation().walk([](mlir::memref::CopyOp copy) {
      mlir::OpBuilder builder(copy);
      mlir::linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
} // namespace dlc::conversion
