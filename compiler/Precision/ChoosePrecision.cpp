// The dlc-choose-precision pass: matrix products with constant weights take bf16 operands (see
// Passes.td for the rewrite and what stays in fp32).
#include "compiler/Precision/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::precision {

#define GEN_PASS_DEF_CHOOSEPRECISIONPASS
#include "compiler/Precision/Passes.h.inc"

namespace {

using namespace mlir;

/// `values` (f32) rounded to bf16, to nearest with ties to even.
DenseElementsAttr toBF16(DenseElementsAttr values) {
  auto type = cast<RankedTensorType>(values.getType());
  auto bf16 = BFloat16Type::get(type.getContext());
  return values.mapValues(bf16, [](const APFloat &value) {
    APFloat rounded = value;
    bool losesInfo = false;
    rounded.convert(APFloat::BFloat(), APFloat::rmNearestTiesToEven, &losesInfo);
    return rounded.bitcastToAPInt();
  });
}

struct ChoosePrecisionPass : impl::ChoosePrecisionPassBase<ChoosePrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (precision == "fp32")
      return;
    if (precision != "bf16") {
      getOperation().emitError() << "dlc-choose-precision: unknown precision '" << precision
                                 << "' (fp32 or bf16)";
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](graph::MatMulOp op) {
      auto weights = op.getRhs().getDefiningOp<graph::ConstantOp>();
      auto values = weights ? dyn_cast<DenseElementsAttr>(weights.getValue()) : nullptr;
      if (!values || !values.getElementType().isF32() ||
          !getElementTypeOrSelf(op.getLhs()).isF32() || !getElementTypeOrSelf(op).isF32())
        return;
      rewriter.setInsertionPoint(op);
      auto bf16 = rewriter.getBF16Type();
      auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
      Value lhs = graph::CastOp::create(rewriter, op.getLoc(), lhsType.clone(bf16), op.getLhs());
      DenseElementsAttr rounded = toBF16(values);
      Value rhs = graph::ConstantOp::create(rewriter, weights.getLoc(), rounded.getType(),
                                            rounded);
      rewriter.modifyOpInPlace(op, [&] { op->setOperands({lhs, rhs}); });
    });
  }
};

} // namespace
} // namespace dlc::precision
