// The dlc-convert-graph-to-linalg pass: applies every graph -> linalg pattern family and fails,
// naming the op and its location, if any graph op is left. Unsigned integer tensors (ONNX's
// uint types) become signless at the function boundary, as arith requires.
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc::conversion {

#define GEN_PASS_DEF_CONVERTGRAPHTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"

namespace {

using namespace mlir;

/// Maps unsigned integer tensors to signless ones; every other type is kept.
struct SignlessTypeConverter : TypeConverter {
  SignlessTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](RankedTensorType type) -> Type { return signlessType(type); });
  }
};

struct ConvertGraphToLinalgPass
    : impl::ConvertGraphToLinalgPassBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    SignlessTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<graph::GraphDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp func) {
      return converter.isSignatureLegal(func.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp op) { return converter.isLegal(op.getOperandTypes()); });

    RewritePatternSet patterns(ctx);
    populateElementwiseToLinalgPatterns(patterns);
    populateContractionToLinalgPatterns(patterns);
    populateWindowToLinalgPatterns(patterns);
    populateReductionToLinalgPatterns(patterns);
    populateDataMovementToLinalgPatterns(patterns);
    populateScatterToLinalgPatterns(patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::conversion
