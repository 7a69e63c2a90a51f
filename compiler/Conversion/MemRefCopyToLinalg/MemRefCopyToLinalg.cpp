// The dlc-convert-memref-copy-to-linalg pass: a memref.copy between strided views becomes a
// linalg.copy, so it lowers to loops instead of a call into MLIR's runner library (see Passes.td).
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace dlc::conversion {

#define GEN_PASS_DEF_CONVERTMEMREFCOPYTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"

namespace {

struct ConvertMemRefCopyToLinalgPass
    : impl::ConvertMemRefCopyToLinalgPassBase<ConvertMemRefCopyToLinalgPass> {
  void runOnOperation() override {
    getOperation().walk([](mlir::memref::CopyOp copy) {
      // Contiguous to contiguous lowers to memcpy, which needs no runtime library.
      auto contiguous = [](mlir::Value buffer) {
        auto type = mlir::dyn_cast<mlir::MemRefType>(buffer.getType());
        return type && mlir::memref::isStaticShapeAndContiguousRowMajor(type);
      };
      if (contiguous(copy.getSource()) && contiguous(copy.getTarget()))
        return;
      mlir::OpBuilder builder(copy);
      mlir::linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
} // namespace dlc::conversion
