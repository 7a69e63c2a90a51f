// The dlc-lower-quantization pass: graph.quantize and graph.dequantize, where no op computes on
// their integers, become the graph arithmetic their !quant.uniform parameters state (see
// Passes.td).
#include "compiler/Precision/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Traits.h"
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

  /// `values` as a constant of `element`: rank 0 for per-tensor parameters, else shaped to
  /// broadcast along the axis.
  Value parameter(Type element, ArrayRef<double> values) {
    SmallVector<int64_t> dims;
    if (q.axis) {
      dims.assign(shape.size(), 1);
      dims[*q.axis] = values.size();
    }
    auto type = RankedTensorType::get(dims, element);
    SmallVector<Attribute> attrs;
    for (double value : values)
      attrs.push_back(FloatAttr::get(element, value));
    return graph::ConstantOp::create(b, loc, DenseElementsAttr::get(type, attrs));
  }
  Value zeroPoints() {
    SmallVector<double> values(q.zeroPoints.begin(), q.zeroPoints.end());
    return parameter(q.expressed, values);
  }
  Value scales() { return parameter(q.expressed, q.scales); }

  template <typename Op> Value binary(Value lhs, Value rhs) {
    SmallVector<int64_t> dims;
    OpTrait::util::getBroadcastedShape(cast<RankedTensorType>(lhs.getType()).getShape(),
                                       cast<RankedTensorType>(rhs.getType()).getShape(), dims);
    return Op::create(b, loc, RankedTensorType::get(dims, getElementTypeOrSelf(lhs)), lhs, rhs);
  }
  Value castTo(Value value, Type element) {
    return graph::CastOp::create(b, loc, RankedTensorType::get(shape, element), value);
  }

  /// (cast(x) - zero point) * scale.
  Value dequantize(Value x) {
    Value value = castTo(x, q.expressed);
    if (!q.zeroPointsAreZero())
      value = binary<graph::SubOp>(value, zeroPoints());
    return binary<graph::MulOp>(value, scales());
  }

  /// cast(clip(round(x / scale) + zero point, min, max)).
  Value quantize(Value x, Type storage) {
    Value value = x;
    if (!q.scalesAreOne())
      value = binary<graph::DivOp>(value, scales());
    value = graph::RoundOp::create(b, loc, value.getType(), value);
    if (!q.zeroPointsAreZero())
      value = binary<graph::AddOp>(value, zeroPoints());
    value = graph::ClipOp::create(b, loc, value.getType(), value, b.getF64FloatAttr(q.min),
                                  b.getF64FloatAttr(q.max));
    return castTo(value, storage);
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
