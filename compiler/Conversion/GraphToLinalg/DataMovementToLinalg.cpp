// Lowers data-movement ops: reshape, transpose, concat, slice and pad to tensor and linalg ops;
// gather, gather_elements and edge/reflect padding to generics that read with tensor.extract.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// One reassociation group holding all `rank` dimensions, or none for rank 0.
SmallVector<ReassociationIndices> allInOneGroup(int64_t rank) {
  if (rank == 0)
    return {};
  ReassociationIndices group;
  for (int64_t d = 0; d < rank; ++d)
    group.push_back(d);
  return {group};
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = tensorType(adaptor.getInput());
    auto outType = signlessType(op.getType());
    // Through a rank-1 (or, for scalars, rank-0) intermediate: both steps are views.
    Value flat = adaptor.getInput();
    if (inType.getRank() == 0) {
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, flat, allInOneGroup(0));
      return success();
    }
    if (outType.getRank() == 0) {
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, flat, allInOneGroup(0));
      return success();
    }
    if (inType.getRank() != 1)
      flat = tensor::CollapseShapeOp::create(rewriter, loc, flat, allInOneGroup(inType.getRank()));
    if (outType.getRank() != 1)
      flat = tensor::ExpandShapeOp::create(rewriter, loc, outType, flat,
                                           allInOneGroup(outType.getRank()));
    rewriter.replaceOp(op, flat);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = signlessType(op.getType());
    Value init = emptyTensor(rewriter, op.getLoc(), type);
    auto transpose = linalg::TransposeOp::create(rewriter, op.getLoc(), adaptor.getInput(), init,
                                                 op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    Value result = emptyTensor(rewriter, loc, type);
    int64_t rank = type.getRank(), axis = op.getAxis(), offset = 0;
    for (Value input : adaptor.getInputs()) {
      ArrayRef<int64_t> shape = tensorType(input).getShape();
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      offset += shape[axis];
      if (shape[axis] == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result, ValueRange{},
                                             ValueRange{}, ValueRange{}, offsets, shape, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    // An empty result reads nothing (and its start may lie at the end of an empty dimension,
    // which tensor.extract_slice rejects).
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    if (llvm::all_of(steps, [](int64_t step) { return step > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{}, starts,
          type.getShape(), steps);
      return success();
    }
    // Negative steps: result[i] = input[start + i * step], an affine read.
    MLIRContext *ctx = op.getContext();
    SmallVector<AffineExpr> exprs;
    for (auto [d, start] : llvm::enumerate(starts))
      exprs.push_back(getAffineDimExpr(d, ctx) * steps[d] + start);
    int64_t rank = type.getRank();
    Value init = emptyTensor(rewriter, loc, type);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getInput(), init,
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                            rewriter.getMultiDimIdentityMap(rank)},
        iteratorTypes(rank, {}), [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          linalg::YieldOp::create(b, nestedLoc, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Ends a generic's body with the element of `source` at `coords`.
void yieldElement(OpBuilder &b, Location loc, Value source, ValueRange coords) {
  Value element = tensor::ExtractOp::create(b, loc, source, coords);
  linalg::YieldOp::create(b, loc, element);
}

/// `attr` with an unsigned integer type made signless, for arith.constant.
TypedAttr signlessAttr(TypedAttr attr) {
  auto integer = dyn_cast<IntegerAttr>(attr);
  if (!integer || !integer.getType().isUnsignedInteger())
    return attr;
  auto type = IntegerType::get(attr.getContext(), integer.getType().getIntOrFloatBitWidth());
  return IntegerAttr::get(type, integer.getValue());
}

/// The input position that an edge- or reflect-padded result position `i` reads along a
/// dimension of `size` padded by `low` in front.
Value paddedSource(OpBuilder &b, Location loc, Value i, int64_t low, int64_t size, bool reflect) {
  auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value j = arith::SubIOp::create(b, loc, i, constant(low));
  Value zero = constant(0), last = constant(size - 1);
  if (!reflect)
    return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, j, zero), last);
  // Mirror about the first element, then about the last: -j before it, 2 (size - 1) - j after.
  Value before = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, zero);
  j = arith::SelectOp::create(b, loc, before, arith::SubIOp::create(b, loc, zero, j), j);
  Value after = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, j, last);
  Value mirrored = arith::SubIOp::create(b, loc, constant(2 * (size - 1)), j);
  return arith::SelectOp::create(b, loc, after, mirrored, j);
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    Value input = adaptor.getInput();
    ArrayRef<int64_t> inShape = tensorType(input).getShape();
    ArrayRef<int64_t> low = op.getLow(), high = op.getHigh(), interior = op.getInterior();
    int64_t rank = type.getRank();
    if (op.getMode() == "constant") {
      Value value = arith::ConstantOp::create(rewriter, loc, signlessAttr(op.getValue()));
      if (llvm::all_of(interior, [](int64_t p) { return p == 0; })) {
        rewriter.replaceOp(op, padTensor(rewriter, loc, input, low, high, value));
        return success();
      }
      // Interior padding: the input goes into a filled tensor with strides.
      SmallVector<int64_t> strides;
      for (int64_t p : interior)
        strides.push_back(p + 1);
      Value filled = filledTensor(rewriter, loc, type, value);
      rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, input, filled, ValueRange{},
                                                         ValueRange{}, ValueRange{}, low, inShape,
                                                         strides);
      return success();
    }
    bool reflect = op.getMode() == "reflect";
    Value init = emptyTensor(rewriter, loc, type);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{}, init,
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, iteratorTypes(rank, {}),
        [&](OpBuilder &b, Location nestedLoc, ValueRange) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, nestedLoc, d);
            bool padded = low[d] != 0 || high[d] != 0;
            coords.push_back(padded ? paddedSource(b, nestedLoc, i, low[d], inShape[d], reflect)
                                    : i);
          }
          yieldElement(b, nestedLoc, input, coords);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = signlessType(op.getType());
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis(), rank = type.getRank();
    int64_t indexRank = tensorType(indices).getRank();
    int64_t axisSize = tensorType(data).getDimSize(axis);

    // Result dims [axis, axis + indexRank) walk the indices tensor.
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indexRank; ++d)
      indexExprs.push_back(getAffineDimExpr(axis + d, ctx));
    Value init = emptyTensor(rewriter, loc, type);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, indices, init,
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, indexExprs, ctx),
                            rewriter.getMultiDimIdentityMap(rank)},
        iteratorTypes(rank, {}), [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value wrapped = clampedIndex(b, nestedLoc, args[0], axisSize);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, nestedLoc, d));
          coords.push_back(wrapped);
          for (int64_t d = axis + indexRank; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, nestedLoc, d));
          yieldElement(b, nestedLoc, data, coords);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = signlessType(op.getType());
    Value data = adaptor.getData();
    int64_t axis = op.getAxis(), rank = type.getRank();
    int64_t axisSize = tensorType(data).getDimSize(axis);
    Value init = emptyTensor(rewriter, loc, type);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getIndices(), init,
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                            rewriter.getMultiDimIdentityMap(rank)},
        iteratorTypes(rank, {}), [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(d == axis ? clampedIndex(b, nestedLoc, args[0], axisSize)
                                       : linalg::IndexOp::create(b, nestedLoc, d).getResult());
          yieldElement(b, nestedLoc, data, coords);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateDataMovementToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, PadLowering>(
      patterns.getContext());
}

} // namespace dlc::conversion
