// The dlc-fold-conv-affine pass: per-channel constant scale/shift after a convolution is folded
// into its filter and bias at compile time (see Passes.td).
#include "compiler/Folding/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::folding {

#define GEN_PASS_DEF_FOLDCONVAFFINEPASS
#include "compiler/Folding/Passes.h.inc"

namespace {

using namespace mlir;
using namespace dlc::graph;

/// The f32 values of a constant operand, or none.
std::optional<std::vector<float>> constantValues(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  auto elements = constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  auto values = elements.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

/// The per-channel values of `operand` for a conv result of type `resultType`: the operand
/// must be a constant whose only non-unit dimension is the channel dimension (1), aligned as
/// numpy broadcasting aligns it. A scalar applies to every channel.
std::optional<std::vector<float>> perChannel(Value operand, RankedTensorType resultType) {
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t rank = resultType.getRank(), channels = resultType.getDimSize(1);
  int64_t offset = rank - type.getRank();
  if (offset < 0)
    return std::nullopt;
  for (auto [i, dim] : llvm::enumerate(type.getShape()))
    if (dim != 1 && int64_t(i) + offset != 1)
      return std::nullopt;
  std::optional<std::vector<float>> values = constantValues(operand);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  if (int64_t(values->size()) != channels)
    return std::nullopt;
  return values;
}

/// mul(conv, a) or add(conv, t) -> conv with folded constants; chains fold one op at a time.
template <typename Op, bool Scale> struct FoldIntoConv : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto conv = lhs.getDefiningOp<ConvOp>();
    if (!conv) {
      std::swap(lhs, rhs);
      conv = lhs.getDefiningOp<ConvOp>();
    }
    if (!conv || !conv->hasOneUse() || op.getType() != conv.getType())
      return rewriter.notifyMatchFailure(op, "not a single-use conv with the same result type");
    auto resultType = cast<RankedTensorType>(conv.getType());
    std::optional<std::vector<float>> factor = perChannel(rhs, resultType);
    std::optional<std::vector<float>> filter = constantValues(conv.getFilter());
    if (!factor || !filter)
      return rewriter.notifyMatchFailure(op, "operands are not per-channel f32 constants");
    int64_t channels = resultType.getDimSize(1);
    std::vector<float> bias(channels, 0.0f);
    if (Value b = conv.getBias()) {
      std::optional<std::vector<float>> given = constantValues(b);
      if (!given)
        return rewriter.notifyMatchFailure(op, "the conv bias is not constant");
      bias = *given;
    }
    if (Scale) {
      int64_t perFilter = filter->size() / channels;
      for (int64_t f = 0; f < channels; ++f) {
        for (int64_t i = 0; i < perFilter; ++i)
          (*filter)[f * perFilter + i] *= (*factor)[f];
        bias[f] *= (*factor)[f];
      }
    } else {
      for (int64_t f = 0; f < channels; ++f)
        bias[f] += (*factor)[f];
    }
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Location loc = conv.getLoc();
    Value newFilter = ConstantOp::create(rewriter, loc, filterType,
                                         DenseElementsAttr::get(filterType, ArrayRef<float>(*filter)));
    Value newBias = ConstantOp::create(rewriter, loc, biasType,
                                       DenseElementsAttr::get(biasType, ArrayRef<float>(bias)));
    // The convolution keeps its node's name first (what precision plans and diagnostics
    // name), with the folded op's after it.
    Location fused = rewriter.getFusedLoc({conv.getLoc(), op.getLoc()});
    rewriter.replaceOp(op, ConvOp::create(rewriter, fused, resultType, conv.getInput(),
                                          newFilter, newBias, conv.getStrides(),
                                          conv.getDilations(), conv.getPads(), conv.getGroup()));
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldConvAffinePass : impl::FoldConvAffinePassBase<FoldConvAffinePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv<MulOp, true>, FoldIntoConv<AddOp, false>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::folding
