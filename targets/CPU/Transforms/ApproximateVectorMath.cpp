// The dlc-cpu-approximate-vector-math pass: transcendental math on vectors (erf, exp, tanh, ...)
// becomes polynomial arithmetic, instead of one libm call per lane.
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_APPROXIMATEVECTORMATHPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// The math ops approximated: those whose upstream approximations keep fp32 results within a
/// few units in the last place over their whole range.
bool isApproximated(StringRef name) {
  return llvm::is_contained({"math.erf", "math.exp", "math.expm1", "math.tanh", "math.log",
                             "math.log1p", "math.log2"},
                            name);
}

struct ApproximateVectorMathPass
    : impl::ApproximateVectorMathPassBase<ApproximateVectorMathPass> {
  void runOnOperation() override {
    // Scalar math keeps its libm calls (correctly rounded or nearly); only vector ops, which
    // would otherwise be split into a call per lane, are rewritten.
    SmallVector<Operation *> vectorMath;
    getOperation().walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) && op->getNumResults() == 1 &&
          isa<VectorType>(op->getResult(0).getType()))
        vectorMath.push_back(op);
    });
    if (vectorMath.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(vectorMath, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::cpu
