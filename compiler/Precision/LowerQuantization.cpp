// The dlc-lower-quantization pass: graph.quantize and graph.dequantize, where no op computes on
// their integers, become the graph arithmetic their !quant.uniform parameters state (see
// Passes.td).
#include "compiler/Precision/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::precision {

#define GEN_PASS_DEF_LOWERQUANTIZATIONPASS
#include "compiler/Precision/Passes.h.inc"

namespace {

using namespace mlir;

/// Builds the expansion of one op at its location.
struct Lowering {
  OpBuilder &b;
  Location loc;
  graph::Quantization q;
  /// The shape of the op's tensors.
  ArrayRef<int64_t> shape;

  Value zeroPoints() {
    SmallVector<double> values(q.zeroPoints.begin(), q.zeroPoints.end());
    return graph::createQuantizationParameter(b, loc, q, values, shape.size());
  }
  Value scales() { return graph::createQuantizationParameter(b, loc, q, q.scales, shape.size()); }

  /// (cast(x) - zero point) * scale.
  Value dequantize(Value x) {
    Value centered = graph::createCentered(b, loc, x, q);
    return graph::createBroadcast<graph::MulOp>(b, loc, centered, scales());
  }

  /// cast(clip(round(x / scale) + zero point, min, max)).
  Value quantize(Value x, Type storage) {
    Value value = x;
    if (!q.scalesAreOne())
      value = graph::createBroadcast<graph::DivOp>(b, loc, value, scales());
    value = graph::RoundOp::create(b, loc, value.getType(), value);
    if (!q.zeroPointsAreZero())
      value = graph::createBroadcast<graph::AddOp>(b, loc, value, zeroPoints());
    value = graph::ClipOp::create(b, loc, value.getType(), value, b.getF64FloatAttr(q.min),
                                  b.getF64FloatAttr(q.max));
    return graph::CastOp::create(b, loc, RankedTensorType::get(shape, storage), value);
  }
};

struct LowerQuantizationPass : impl::LowerQuantizationPassBase<LowerQuantizationPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](Operation *op) {
      auto quantize = dyn_cast<graph::QuantizeOp>(op);
      auto dequantize = dyn_cast<graph::DequantizeOp>(op);
      if (!quantize && !dequantize)
        return;
      rewriter.setInsertionPoint(op);
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      Lowering lowering{rewriter, op->getLoc(),
                        *graph::Quantization::of(quantize ? quantize.getQuantization()
                                                          : dequantize.getQuantization()),
                        type.getShape()};
      Value value = quantize ? lowering.quantize(quantize.getInput(), type.getElementType())
                             : lowering.dequantize(dequantize.getInput());
      rewriter.replaceOp(op, value);
    });
  }
};

} // namespace
} // namespace dlc::precision
