// The dlc-convert-graph-to-linalg pass: applies every graph -> linalg pattern family and fails,
// naming the op and its location, if any graph op is left.
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc::conversion {

#define GEN_PASS_DEF_CONVERTGRAPHTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"

namespace {

struct ConvertGraphToLinalgPass
    : impl::ConvertGraphToLinalgPassBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    mlir::ConversionTarget target(*ctx);
    target.addIllegalDialect<graph::GraphDialect>();
    target.markUnknownOpDynamicallyLegal([](mlir::Operation *) { return true; });

    mlir::RewritePatternSet patterns(ctx);
    populateElementwiseToLinalgPatterns(patterns);
    populateContractionToLinalgPatterns(patterns);
    populateWindowToLinalgPatterns(patterns);
    populateReductionToLinalgPatterns(patterns);
    populateDataMovementToLinalgPatterns(patterns);
    if (failed(mlir::applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::conversion
