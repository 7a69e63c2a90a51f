// Lowers graph reductions (sum, mean, max, min, prod, arg max/min) and softmax to linalg.generic
// reductions.
// Softmax is max-shifted for stability: exp(x - max) / sum(exp(x - max)).
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// The indexing of a reduction's result in the iteration over its `rank`-dimensional input:
/// reduced dimensions dropped, or read at 0 when `keepdims` keeps them as size 1.
AffineMap reducedMap(int64_t rank, ArrayRef<int64_t> axes, bool keepdims, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
    else if (keepdims)
      exprs.push_back(getAffineConstantExpr(0, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Reduces `input` over `axes` with `kind`, starting from `initValue`. The result type is `type`
/// (reduced dimensions dropped or kept as size 1, per `keepdims`). Several trailing axes (a
/// global pooling's rows and columns) are reduced as one row of the collapsed input, which
/// the CPU target vectorizes along the row.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, bool keepdims,
             RankedTensorType type, Combiner kind, Value initValue, bool isUnsigned = false) {
  int64_t rank = tensorType(input).getRank();
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  int64_t trailing = int64_t(sorted.size());
  bool isSuffix = trailing > 1 && llvm::equal(sorted, llvm::seq<int64_t>(rank - trailing, rank));
  SmallVector<int64_t> reducedAxes(axes);
  AffineMap outMap = reducedMap(rank, axes, keepdims, b.getContext());
  if (isSuffix) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank - trailing; ++d)
      groups.push_back({d});
    groups.emplace_back(llvm::to_vector(llvm::seq<int64_t>(rank - trailing, rank)));
    input = tensor::CollapseShapeOp::create(b, loc, input, groups);
    rank = rank - trailing + 1;
    reducedAxes = {rank - 1};
    // The result keeps its type: each kept reduced dimension is read at 0.
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d + 1 < rank; ++d)
      exprs.push_back(b.getAffineDimExpr(d));
    if (keepdims)
      exprs.append(trailing, b.getAffineConstantExpr(0));
    outMap = AffineMap::get(rank, 0, exprs, b.getContext());
  }
  Value init = filledTensor(b, loc, type, initValue);
  auto generic = linalg::GenericOp::create(
      b, loc, type, input, init, ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap},
      iteratorTypes(rank, reducedAxes),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, kind, args[1], args[0], isUnsigned));
      });
  return generic.getResult(0);
}

/// Lowers a reduction op; `Mean` divides the sum by the number of reduced elements.
template <typename Op, Combiner Kind, bool Mean = false>
struct ReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    Type elementType = type.getElementType();
    bool isUnsigned = isUnsignedElement(op.getType());
    Value init;
    switch (Kind) {
    case Combiner::Add: init = scalarConstant(rewriter, loc, elementType, 0); break;
    case Combiner::Mul: init = scalarConstant(rewriter, loc, elementType, 1); break;
    case Combiner::Max: init = lowestValue(rewriter, loc, elementType, isUnsigned); break;
    case Combiner::Min: init = highestValue(rewriter, loc, elementType, isUnsigned); break;
    }
    Value result = reduce(rewriter, loc, adaptor.getInput(), op.getAxes(), op.getKeepdims(),
                          type, Kind, init, isUnsigned);
    if (Mean) {
      int64_t count = 1;
      for (int64_t axis : op.getAxes())
        count *= tensorType(adaptor.getInput()).getDimSize(axis);
      result = buildElementwise(rewriter, loc, type, result,
                                [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
                                  Value n = scalarConstant(b, nestedLoc, elementType, count);
                                  return isa<FloatType>(elementType)
                                             ? arith::DivFOp::create(b, nestedLoc, args[0], n).getResult()
                                         : isUnsigned ? arith::DivUIOp::create(b, nestedLoc, args[0], n).getResult()
                                             : arith::DivSIOp::create(b, nestedLoc, args[0], n).getResult();
                                });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    Type elementType = type.getElementType();
    int64_t axis = op.getAxis();
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, elementType);

    Value input = adaptor.getInput();
    Value max = reduce(rewriter, loc, input, axis, /*keepdims=*/true, keptType, Combiner::Max,
                       lowestValue(rewriter, loc, elementType));
    Value exps = buildElementwise(rewriter, loc, type, ValueRange{input, max},
                                  [](OpBuilder &b, Location nestedLoc, ValueRange args) {
                                    Value shifted = arith::SubFOp::create(b, nestedLoc, args[0], args[1]);
                                    return math::ExpOp::create(b, nestedLoc, shifted).getResult();
                                  });
    Value sums = reduce(rewriter, loc, exps, axis, /*keepdims=*/true, keptType, Combiner::Add,
                        scalarConstant(rewriter, loc, elementType, 0));
    Value result = buildElementwise(rewriter, loc, type, ValueRange{exps, sums},
                                    [](OpBuilder &b, Location nestedLoc, ValueRange args) {
                                      return arith::DivFOp::create(b, nestedLoc, args[0], args[1]).getResult();
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ArgMax/ArgMin: one reduction carrying the best value so far and its index; a candidate
/// replaces them when strictly better (the first of equal extremes) or, with `last`, when at
/// least as good.
template <typename Op, bool isMax> struct ArgReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorType(input);
    Type element = inputType.getElementType();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    int64_t rank = inputType.getRank(), axis = op.getAxis();
    auto indexType = cast<RankedTensorType>(op.getType());
    auto valueType = RankedTensorType::get(indexType.getShape(), element);
    Value start = isMax ? lowestValue(rewriter, loc, element, isUnsigned)
                        : highestValue(rewriter, loc, element, isUnsigned);
    Value values = filledTensor(rewriter, loc, valueType, start);
    Value indices = filledTensor(rewriter, loc, indexType,
                                 scalarConstant(rewriter, loc, indexType.getElementType(), 0));
    AffineMap outMap = reducedMap(rank, {axis}, op.getKeepdims(), ctx);
    bool last = op.getLast();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, input, ValueRange{values, indices},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap, outMap},
        iteratorTypes(rank, {axis}), [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value x = args[0], best = args[1];
          Value better;
          if (isa<FloatType>(element)) {
            using P = arith::CmpFPredicate;
            P predicate = isMax ? (last ? P::OGE : P::OGT) : (last ? P::OLE : P::OLT);
            better = arith::CmpFOp::create(b, nestedLoc, predicate, x, best);
          } else {
            using P = arith::CmpIPredicate;
            P predicate = isMax ? (last ? (isUnsigned ? P::uge : P::sge)
                                        : (isUnsigned ? P::ugt : P::sgt))
                                : (last ? (isUnsigned ? P::ule : P::sle)
                                        : (isUnsigned ? P::ult : P::slt));
            better = arith::CmpIOp::create(b, nestedLoc, predicate, x, best);
          }
          Value index = arith::IndexCastOp::create(
              b, nestedLoc, indexType.getElementType(),
              linalg::IndexOp::create(b, nestedLoc, axis));
          linalg::YieldOp::create(
              b, nestedLoc,
              ValueRange{arith::SelectOp::create(b, nestedLoc, better, x, best),
                         arith::SelectOp::create(b, nestedLoc, better, index, args[2])});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

} // namespace

void populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, Combiner::Add>,
               ReduceLowering<ReduceMeanOp, Combiner::Add, /*Mean=*/true>,
               ReduceLowering<ReduceMaxOp, Combiner::Max>,
               ReduceLowering<ReduceMinOp, Combiner::Min>,
               ReduceLowering<ReduceProdOp, Combiner::Mul>, SoftmaxLowering,
               ArgReduceLowering<ArgMaxOp, /*isMax=*/true>,
               ArgReduceLowering<ArgMinOp, /*isMax=*/false>>(patterns.getContext());
}

} // namespace dlc::conversion
