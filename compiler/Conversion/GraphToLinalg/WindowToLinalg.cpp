// Lowers graph.conv (ungrouped: linalg's named convolutions, whose algorithm the target chooses;
// grouped: a direct window loop), graph.max_pool and graph.avg_pool to tensor.pad plus linalg.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// Begin/end paddings for all dimensions of [N, C, D1..Dk]: none on N and C, `pads` on the
/// spatial ones, plus `extraEnd` more at the end of each spatial dimension.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
fullPads(ArrayRef<int64_t> pads, ArrayRef<int64_t> extraEnd) {
  int64_t spatial = pads.size() / 2;
  SmallVector<int64_t> low{0, 0}, high{0, 0};
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[spatial + i] + extraEnd[i]);
  }
  return {low, high};
}

/// The expression `out * stride + window * dilation` indexing a padded spatial dimension.
AffineExpr windowIndex(unsigned outDim, unsigned windowDim, int64_t stride, int64_t dilation,
                       MLIRContext *ctx) {
  return getAffineDimExpr(outDim, ctx) * stride + getAffineDimExpr(windowDim, ctx) * dilation;
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = signlessType(op.getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2, group = op.getGroup();
    int64_t filters = resultType.getDimSize(1);

    // [N, C, D..] -> padded [N, G, C/G, D'..]; [F, C/G, K..] -> [G, F/G, C/G, K..].
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    auto [low, high] = fullPads(op.getPads(), SmallVector<int64_t>(spatial, 0));
    Value input = padTensor(
        rewriter, loc, adaptor.getInput(), low, high,
        scalarConstant(rewriter, loc, tensorType(adaptor.getInput()).getElementType(), 0));
    input = splitDim(rewriter, loc, input, 1, group);
    Value filter = splitDim(rewriter, loc, adaptor.getFilter(), 0, group);

    // Iteration space: n, g, f, c, k1..kk, o1..ok.
    unsigned n = 0, g = 1, f = 2, c = 3, k0 = 4, o0 = 4 + spatial;
    SmallVector<AffineExpr> inExprs{getAffineDimExpr(n, ctx), getAffineDimExpr(g, ctx),
                                    getAffineDimExpr(c, ctx)};
    SmallVector<AffineExpr> filterExprs{getAffineDimExpr(g, ctx), getAffineDimExpr(f, ctx),
                                        getAffineDimExpr(c, ctx)};
    SmallVector<AffineExpr> outExprs{getAffineDimExpr(n, ctx), getAffineDimExpr(g, ctx),
                                     getAffineDimExpr(f, ctx)};
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(windowIndex(o0 + i, k0 + i, op.getStrides()[i], op.getDilations()[i], ctx));
      filterExprs.push_back(getAffineDimExpr(k0 + i, ctx));
      outExprs.push_back(getAffineDimExpr(o0 + i, ctx));
    }
    unsigned numDims = 4 + 2 * spatial;
    SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                                AffineMap::get(numDims, 0, filterExprs, ctx),
                                AffineMap::get(numDims, 0, outExprs, ctx)};
    SmallVector<int64_t> reductions{c};
    for (int64_t i = 0; i < spatial; ++i)
      reductions.push_back(k0 + i);

    // The accumulator starts as the bias broadcast over [N, G, F/G, O..], or zero.
    SmallVector<int64_t> groupedShape{resultType.getDimSize(0), group, filters / group};
    llvm::append_range(groupedShape, resultType.getShape().drop_front(2));
    auto groupedType = RankedTensorType::get(groupedShape, elementType);
    Value init;
    if (Value bias = adaptor.getBias()) {
      // Bias [G, F/G] along dimensions 1 and 2 (not the trailing ones numpy would align).
      Value groupedBias = splitDim(rewriter, loc, bias, 0, group);
      int64_t rank = groupedType.getRank();
      init = linalg::GenericOp::create(
                 rewriter, loc, groupedType, groupedBias, emptyTensor(rewriter, loc, groupedType),
                 ArrayRef<AffineMap>{AffineMap::get(rank, 0,
                                                    {getAffineDimExpr(1, ctx),
                                                     getAffineDimExpr(2, ctx)},
                                                    ctx),
                                     rewriter.getMultiDimIdentityMap(rank)},
                 iteratorTypes(rank, {}),
                 [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                   linalg::YieldOp::create(nested, nestedLoc, args[0]);
                 })
                 .getResult(0);
    } else {
      init = filledTensor(rewriter, loc, groupedType, zero);
    }

    auto conv = linalg::GenericOp::create(
        rewriter, loc, groupedType, ValueRange{input, filter}, init, maps,
        iteratorTypes(numDims, reductions),
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          // 8-bit operands of an int32 sum (a quantized model's depthwise convolution, which
          // the importer gives signed operands) and bf16 ones of an f32 sum are widened first.
          Value product =
              combine(b, nestedLoc, Combiner::Mul, widenTo(b, nestedLoc, args[0], elementType),
                      widenTo(b, nestedLoc, args[1], elementType));
          linalg::YieldOp::create(b, nestedLoc,
                                  combine(b, nestedLoc, Combiner::Add, args[2], product));
        });
    SmallVector<ReassociationIndices> merge{{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      merge.push_back({3 + i});
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, resultType, conv.getResult(0), merge);
    return success();
  }
};

/// The indexing of a bias [F] in an iteration over a convolution result [N, F, ...] of `rank`
/// dimensions.
AffineMap filterBiasMap(int64_t rank, MLIRContext *ctx) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
}

/// The initial value of a convolution result [N, F, ...]: the bias broadcast along the filters,
/// or zero without a bias.
Value productInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias, Value zero) {
  if (!bias)
    return filledTensor(b, loc, type, zero);
  int64_t rank = type.getRank();
  return linalg::GenericOp::create(
             b, loc, type, bias, emptyTensor(b, loc, type),
             ArrayRef<AffineMap>{filterBiasMap(rank, b.getContext()),
                                 b.getMultiDimIdentityMap(rank)},
             iteratorTypes(rank, {}), [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

/// An ungrouped convolution of 1 to 3 spatial dimensions as linalg's named convolution on the
/// padded input, accumulating onto the bias (or zero). How it is computed (a product over
/// im2col columns, Winograd, ...) is the target's choice.
struct NamedConvLowering : OpConversionPattern<ConvOp> {
  NamedConvLowering(MLIRContext *ctx) : OpConversionPattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = signlessType(op.getType());
    int64_t spatial = resultType.getRank() - 2;
    if (op.getGroup() != 1 || spatial < 1 || spatial > 3)
      return rewriter.notifyMatchFailure(op, "grouped or higher-rank: the direct lowering");
    Location loc = op.getLoc();
    // Narrow operands (int8, bf16) sum in the result's wider type; the named ops extend them
    // (int8 by its sign: the importer gives int8 convolutions signed inputs).
    Value zero = scalarConstant(rewriter, loc, resultType.getElementType(), 0);
    Value inputZero =
        scalarConstant(rewriter, loc, tensorType(adaptor.getInput()).getElementType(), 0);
    auto [low, high] = fullPads(op.getPads(), SmallVector<int64_t>(spatial, 0));
    Value padded = padTensor(rewriter, loc, adaptor.getInput(), low, high, inputZero);
    Value init = productInit(rewriter, loc, resultType, adaptor.getBias(), zero);
    SmallVector<Value> inputs{padded, adaptor.getFilter()};
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    Operation *conv;
    if (spatial == 1)
      conv = linalg::Conv1DNcwFcwOp::create(rewriter, loc, TypeRange{resultType}, inputs, init,
                                            strides, dilations);
    else if (spatial == 2)
      conv = linalg::Conv2DNchwFchwOp::create(rewriter, loc, TypeRange{resultType}, inputs,
                                              init, strides, dilations);
    else
      conv = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, TypeRange{resultType}, inputs,
                                                init, strides, dilations);
    rewriter.replaceOp(op, conv->getResults());
    return success();
  }
};

/// Extra end padding so that every window of the result (including a ceil-mode one) is inside
/// the padded input.
template <typename PoolOp> SmallVector<int64_t> ceilModePadding(PoolOp op) {
  ArrayRef<int64_t> in = tensorType(op.getInput()).getShape();
  ArrayRef<int64_t> out = signlessType(op.getType()).getShape();
  int64_t spatial = in.size() - 2;
  SmallVector<int64_t> extra;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t needed = (out[2 + i] - 1) * op.getStrides()[i] +
                     (op.getKernel()[i] - 1) * op.getDilations()[i] + 1;
    int64_t have = in[2 + i] + op.getPads()[i] + op.getPads()[spatial + i];
    extra.push_back(std::max<int64_t>(0, needed - have));
  }
  return extra;
}

/// Builds the window reduction shared by both pools: result[n, c, o..] = combine over the window
/// of padded[n, c, o*s + k*d], starting from `init`.
template <typename PoolOp>
Value poolWindow(OpBuilder &b, PoolOp op, Value input, Value padValue, Value initValue,
                 Combiner kind, bool isUnsigned = false) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = signlessType(op.getType());
  int64_t spatial = resultType.getRank() - 2;
  auto [low, high] = fullPads(op.getPads(), ceilModePadding(op));
  Value padded = padTensor(b, loc, input, low, high, padValue);

  // Iteration space: n, c, k1..kk, o1..ok; the kernel is a shape-only operand.
  unsigned k0 = 2, o0 = 2 + spatial, numDims = 2 + 2 * spatial;
  SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<int64_t> reductions;
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(windowIndex(o0 + i, k0 + i, op.getStrides()[i], op.getDilations()[i], ctx));
    windowExprs.push_back(getAffineDimExpr(k0 + i, ctx));
    outExprs.push_back(getAffineDimExpr(o0 + i, ctx));
    reductions.push_back(k0 + i);
  }
  Value window = tensor::EmptyOp::create(b, loc, op.getKernel(), resultType.getElementType());
  Value init = filledTensor(b, loc, resultType, initValue);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{padded, window}, init,
      ArrayRef<AffineMap>{AffineMap::get(numDims, 0, inExprs, ctx),
                          AffineMap::get(numDims, 0, windowExprs, ctx),
                          AffineMap::get(numDims, 0, outExprs, ctx)},
      iteratorTypes(numDims, reductions),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, kind, args[2], args[0], isUnsigned));
      });
  return generic.getResult(0);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Type elementType = signlessType(op.getType()).getElementType();
    bool isUnsigned = isUnsignedElement(op.getType());
    Value lowest = lowestValue(rewriter, op.getLoc(), elementType, isUnsigned);
    rewriter.replaceOp(op, poolWindow(rewriter, op, adaptor.getInput(), lowest, lowest,
                                      Combiner::Max, isUnsigned));
    return success();
  }
};

/// For each output position, how many window elements lie inside the input (or inside the
/// explicitly padded input when `countPads`): the divisor of an average pool.
DenseElementsAttr windowCounts(AvgPoolOp op, RankedTensorType countType) {
  ArrayRef<int64_t> in = tensorType(op.getInput()).getShape().drop_front(2);
  ArrayRef<int64_t> out = countType.getShape();
  int64_t spatial = in.size();
  auto floatType = cast<FloatType>(countType.getElementType());
  SmallVector<APFloat> counts;
  SmallVector<int64_t> position(spatial, 0);
  int64_t total = countType.getNumElements();
  for (int64_t linear = 0; linear < total; ++linear) {
    int64_t count = 1;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t lo = op.getCountIncludePad() ? -op.getPads()[i] : 0;
      int64_t hi = in[i] + (op.getCountIncludePad() ? op.getPads()[spatial + i] : 0);
      int64_t inside = 0;
      for (int64_t k = 0; k < op.getKernel()[i]; ++k) {
        int64_t x = position[i] * op.getStrides()[i] + k * op.getDilations()[i] - op.getPads()[i];
        inside += (x >= lo && x < hi);
      }
      count *= inside;
    }
    APFloat value(double(count ? count : 1));
    bool lossy;
    value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lossy);
    counts.push_back(value);
    for (int64_t i = spatial - 1; i >= 0 && ++position[i] == out[i]; --i)
      position[i] = 0;
  }
  return DenseElementsAttr::get(countType, counts);
}

struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = signlessType(op.getType());
    Type elementType = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value sums = poolWindow(rewriter, op, adaptor.getInput(), zero, zero, Combiner::Add);

    auto countType = RankedTensorType::get(resultType.getShape().drop_front(2), elementType);
    Value counts = arith::ConstantOp::create(rewriter, loc, windowCounts(op, countType));
    Value average = buildElementwise(
        rewriter, loc, resultType, ValueRange{sums, counts},
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          return arith::DivFOp::create(b, nestedLoc, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(op, average);
    return success();
  }
};

} // namespace

void populateWindowToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<NamedConvLowering, ConvLowering, MaxPoolLowering, AvgPoolLowering>(patterns.getContext());
}

} // namespace dlc::conversion
