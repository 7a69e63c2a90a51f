// The dlc-cpu-pack-constant-operands pass: constant right-hand sides of matrix products are
// repacked at compile time into column panels (see Passes.td for the layout and why).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/Contractions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_PACKCONSTANTOPERANDSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// `constant` [..., K, N] repacked as [..., ceil(N/panel), K, panel], the columns of the last
/// panel past N zero.
DenseElementsAttr packPanels(DenseElementsAttr constant, int64_t panel) {
  auto type = cast<RankedTensorType>(constant.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size(), k = shape[rank - 2], n = shape[rank - 1];
  int64_t batch = type.getNumElements() / (k * n), panels = llvm::divideCeil(n, panel);
  SmallVector<int64_t> packedShape(shape.drop_back(2));
  packedShape.append({panels, k, panel});
  auto packedType = RankedTensorType::get(packedShape, type.getElementType());
  if (constant.isSplat() && n % panel == 0)
    return constant.reshape(packedType);
  size_t width = type.getElementTypeBitWidth() / 8;
  std::vector<char> raw;
  if (constant.isSplat()) {
    ArrayRef<char> one = constant.getRawData();
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      raw.insert(raw.end(), one.begin(), one.begin() + width);
  } else {
    raw.assign(constant.getRawData().begin(), constant.getRawData().end());
  }
  std::vector<char> packed(batch * panels * k * panel * width, 0);
  char *out = packed.data();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t row = 0; row < k; ++row, out += panel * width)
        std::memcpy(out, raw.data() + ((b * k + row) * n + p * panel) * width,
                    std::min(panel, n - p * panel) * width);
  return DenseElementsAttr::getFromRawBuffer(packedType, ArrayRef<char>(packed));
}

/// Replaces dimension `column` of `map` (over `numDims` dims) by the pair (nb, nl) placed at
/// positions `column`, `column + 1`; later dimensions shift by one.
AffineExpr splitDimExpr(AffineExpr expr, unsigned column, MLIRContext *ctx) {
  auto dim = cast<AffineDimExpr>(expr);
  unsigned position = dim.getPosition();
  return getAffineDimExpr(position < column ? position : position + 1, ctx);
}

/// Packs the constant right-hand side of one contraction into panels of `panel` columns;
/// returns whether it did.
bool packRhs(RewriterBase &rewriter, linalg::GenericOp op, int64_t panel) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty() || dims->k.size() != 1 || op.getNumDpsInputs() != 2)
    return false;
  MLIRContext *ctx = op.getContext();
  unsigned column = dims->n.back();
  OpOperand *rhs = op.getDpsInputOperand(1);
  auto constant = rhs->get().getDefiningOp<arith::ConstantOp>();
  auto elements = constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  AffineMap rhsMap = op.getMatchingIndexingMap(rhs);
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineExpr columnExpr = getAffineDimExpr(column, ctx);
  AffineExpr kExpr = getAffineDimExpr(dims->k[0], ctx);
  if (!elements || !elements.getElementType().isF32() || rhsMap.getNumResults() < 2 ||
      !rhsMap.isProjectedPermutation() || !outMap.isProjectedPermutation() ||
      rhsMap.getResults().back() != columnExpr ||
      rhsMap.getResults()[rhsMap.getNumResults() - 2] != kExpr)
    return false;
  // The columns are the result's innermost dimension, or the one before it when the result is
  // transposed ([.., columns, rows]).
  std::optional<unsigned> outColumn = outMap.getResultPosition(columnExpr);
  int64_t rank = outMap.getNumResults();
  if (!outColumn || (*outColumn != rank - 1 &&
                     !(*outColumn == rank - 2 &&
                       outMap.getResults().back() == getAffineDimExpr(dims->m.back(), ctx))))
    return false;
  int64_t n = elements.getType().getShape().back();
  int64_t padded = llvm::alignTo(n, panel);
  Value init = op.getDpsInitOperand(0)->get();
  auto resultType = cast<RankedTensorType>(init.getType());
  if (n <= panel || (padded != n && !resultType.hasStaticShape()))
    return false;
  // Padding that would be more than an eighth of the computed columns (48 columns in panels
  // of 32: a third wasted) is left to the unpacked product, whose column blocks of one and
  // two vectors cover such widths exactly.
  if ((padded - n) * 8 > padded)
    return false;

  // New iteration space: the column dimension becomes (nb, nl).
  unsigned numDims = op.getNumLoops() + 1;
  AffineExpr nb = getAffineDimExpr(column, ctx), nl = getAffineDimExpr(column + 1, ctx);
  auto remap = [&](AffineMap map, bool isRhs) {
    SmallVector<AffineExpr> exprs;
    for (AffineExpr expr : map.getResults()) {
      if (expr == columnExpr) {
        if (!isRhs)
          exprs.push_back(nb);
        exprs.push_back(nl);
        continue;
      }
      if (isRhs && expr == kExpr)
        exprs.push_back(nb);
      exprs.push_back(splitDimExpr(expr, column, ctx));
    }
    return AffineMap::get(numDims, 0, exprs, ctx);
  };
  SmallVector<AffineMap> maps{remap(op.getMatchingIndexingMap(op.getDpsInputOperand(0)), false),
                              remap(rhsMap, true), remap(outMap, false)};
  SmallVector<utils::IteratorType> iterators(op.getIteratorTypesArray());
  iterators.insert(iterators.begin() + column, utils::IteratorType::parallel);

  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value packed = arith::ConstantOp::create(rewriter, loc, packPanels(elements, panel));
  // Columns that panels do not divide are computed padded with zero columns, and the result
  // is the slice of the first N.
  auto initType = resultType;
  if (padded != n) {
    SmallVector<int64_t> paddedShape(resultType.getShape());
    paddedShape[*outColumn] = padded;
    initType = RankedTensorType::get(paddedShape, resultType.getElementType());
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getZeroAttr(resultType.getElementType()));
    init = tensor::createPadHighOp(initType, init, zero, /*nofold=*/false, loc, rewriter);
  }
  SmallVector<int64_t> splitShape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t first = splitShape.size();
    if (d != *outColumn) {
      splitShape.push_back(initType.getDimSize(d));
      groups.push_back({first});
      continue;
    }
    splitShape.append({padded / panel, panel});
    groups.push_back({first, first + 1});
  }
  auto splitType = RankedTensorType::get(splitShape, initType.getElementType());
  Value splitInit = tensor::ExpandShapeOp::create(rewriter, loc, splitType, init, groups);
  auto packedOp = linalg::GenericOp::create(
      rewriter, loc, splitType, ValueRange{op.getDpsInputOperand(0)->get(), packed}, splitInit,
      maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), packedOp.getRegion(), packedOp.getRegion().end());
  Value result =
      tensor::CollapseShapeOp::create(rewriter, loc, initType, packedOp.getResult(0), groups);
  if (padded != n) {
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(rewriter.getContext(), resultType.getShape());
    result = tensor::ExtractSliceOp::create(rewriter, loc, resultType, result, offsets, sizes,
                                            strides);
  }
  rewriter.replaceOp(op, result);
  return true;
}

struct PackConstantOperandsPass
    : impl::PackConstantOperandsPassBase<PackConstantOperandsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (panel < 1) {
      getOperation().emitError("dlc-cpu-pack-constant-operands needs panel >= 1");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> candidates = tensorContractions(getOperation());
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates)
      packRhs(rewriter, op, panel);
  }
};

} // namespace
} // namespace dlc::cpu
