// int8 and bf16 convolutions, ungrouped and depthwise, as products on dot-product
// instructions for dlc-cpu-lower-convolutions (see DotConvolution.h).
#include "targets/CPU/Transforms/ConvolutionLowering.h"

#include "targets/CPU/Transforms/DotConvolution.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cstring>

namespace dlc::cpu::convolutions {

/// The constant filters of a 2-D convolution of int8 or bf16 operands, which
/// lowerAsDotProduct computes, or null.
DenseElementsAttr dotFiltersOf(const Convolution &conv) {
  DenseElementsAttr filters;
  if (conv.spatial() != 2 || !dotconv::groupOf(tensorType(conv.input).getElementType()) ||
      !matchPattern(conv.filter, m_Constant(&filters)))
    return {};
  return filters;
}

/// A 2-D convolution of int8 or bf16 operands with constant filters as a product over the
/// packed columns of DotConvolution.h: the packing, the filters reordered at compile time to
/// [F, Q, g], and the product into [N, F, OH*OW], summed from zero in the result's type (the
/// caller adds the start). The groups run along the channels, or along the filter's width
/// where that leaves fewer of them (few channels).
Value lowerAsDotProduct(OpBuilder &b, Location loc, const Convolution &conv,
                        DenseElementsAttr filters) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inType = tensorType(conv.input), resultType = conv.resultType();
  Type narrow = inType.getElementType(), wide = resultType.getElementType();
  int64_t g = dotconv::groupOf(narrow);
  int64_t batch = inType.getDimSize(0), channels = inType.getDimSize(1);
  int64_t numFilters = resultType.getDimSize(1);
  int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
  int64_t kh = tensorType(conv.filter).getDimSize(2), kw = tensorType(conv.filter).getDimSize(3);
  int64_t groups = llvm::divideCeil(channels, g), widthGroups = llvm::divideCeil(kw, g);
  bool alongWidth = channels * widthGroups < groups * kw;
  // The packing's [N, C | CQ, KH, KW | KQ, OH, OW, g] and the padding it reads.
  int64_t dims[] = {batch, alongWidth ? channels : groups, kh, alongWidth ? widthGroups : kw,
                    outH, outW, g};
  int64_t depth = dims[1] * kh * dims[3];
  SmallVector<int64_t> padHigh(4, 0);
  if (alongWidth) // the last group's taps past the filter read zeros
    padHigh[3] = std::max<int64_t>(0, (outW - 1) * conv.strides[1] +
                                          (widthGroups * g - 1) * conv.dilations[1] + 1 -
                                          inType.getDimSize(3));
  else // channels padded to whole groups (their filter elements are zero)
    padHigh[1] = groups * g - channels;

  Value input = conv.input;
  if (llvm::any_of(padHigh, [](int64_t pad) { return pad > 0; })) {
    SmallVector<int64_t> shape(inType.getShape());
    for (auto [size, pad] : llvm::zip(shape, padHigh))
      size += pad;
    input = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, narrow), input,
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
                                  getAsIndexOpFoldResult(ctx, padHigh), zeroOf(b, loc, narrow));
  }
  AffineMap inputMap =
      alongWidth ? dotconv::widthPackingInputMap(ctx, g, conv.strides, conv.dilations)
                 : dotconv::packingInputMap(ctx, g, conv.strides, conv.dilations);
  auto packedType = RankedTensorType::get(dims, narrow);
  Value packed = linalg::GenericOp::create(
                     b, loc, packedType, input, emptyTensor(b, loc, packedType),
                     ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(7)}, iterators(7, {}),
                     [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                       linalg::YieldOp::create(nested, nestedLoc, args[0]);
                     })
                     .getResult(0);
  Value col = tensor::CollapseShapeOp::create(
      b, loc, packed, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}, {6}});

  // Along the channels: w[f, (cq, y, x), j] = filter[f, cq * g + j, y, x]; along the width:
  // w[f, (c, y, xq), j] = filter[f, c, y, xq * g + j]; zero past the channels or the width.
  size_t width = narrow.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = filters.getRawData();
  std::vector<char> reordered(numFilters * depth * g * width, 0);
  for (int64_t f = 0; f < numFilters; ++f)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t from = ((f * channels + c) * kh + y) * kw + x;
          int64_t q = alongWidth ? (c * kh + y) * widthGroups + x / g
                                 : ((c / g) * kh + y) * kw + x;
          int64_t j = alongWidth ? x % g : c % g;
          std::memcpy(&reordered[((f * depth + q) * g + j) * width],
                      &raw[filters.isSplat() ? 0 : from * width], width);
        }
  Value weights = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::getFromRawBuffer(
          RankedTensorType::get({numFilters, depth, g}, narrow), reordered));

  auto productType = RankedTensorType::get({batch, numFilters, outH * outW}, wide);
  Value product = linalg::GenericOp::create(
                      b, loc, productType, ValueRange{weights, col},
                      filledTensor(b, loc, productType, zeroOf(b, loc, wide)),
                      dotconv::productMaps(ctx), iterators(5, {3, 4}), multiplyAddBody)
                      .getResult(0);
  return product;
}

/// `op`'s 8 loops, maps and body as the grouped lowering writes them, for a depthwise
/// convolution the dot kernels compute.
std::optional<Depthwise> matchDepthwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 8 || op.getNumReductionLoops() != 3)
    return std::nullopt;
  RankedTensorType in = tensorType(op.getDpsInputs()[0]), out = tensorType(op.getResult(0));
  RankedTensorType filterType = tensorType(op.getDpsInputs()[1]);
  Depthwise conv{op, {}, {}, {}};
  if (!in.hasStaticShape() || !out.hasStaticShape() || in.getRank() != 5 ||
      out.getRank() != 5 || filterType.getRank() != 5 || in.getDimSize(2) != 1 ||
      out.getDimSize(2) != 1 || filterType.getDimSize(1) != 1 || filterType.getDimSize(2) != 1 ||
      !dotconv::groupOf(in.getElementType()))
    return std::nullopt;
  // The filters: a constant, or one the grouped lowering's split of the filter dimension
  // reshapes (the same elements in the same order).
  Value filter = op.getDpsInputs()[1];
  if (auto split = filter.getDefiningOp<tensor::ExpandShapeOp>())
    filter = split.getSrc();
  if (!matchPattern(filter, m_Constant(&conv.filters)))
    return std::nullopt;
  // The strides and dilations are the input map's coefficients of oh, ow and kh, kw; the maps
  // must be the grouped lowering's for them.
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0].getNumResults() != 5 || maps[0].getNumSymbols() != 0)
    return std::nullopt;
  auto coefficient = [&](unsigned dim, unsigned result) {
    SmallVector<int64_t> point(8, 0);
    point[dim] = 1;
    return maps[0].compose(point)[result];
  };
  conv.strides = {coefficient(6, 3), coefficient(7, 4)};
  conv.dilations = {coefficient(4, 3), coefficient(5, 4)};
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap expected[] = {
      AffineMap::get(8, 0,
                     {d(0), d(1), d(3), d(6) * conv.strides[0] + d(4) * conv.dilations[0],
                      d(7) * conv.strides[1] + d(5) * conv.dilations[1]},
                     ctx),
      AffineMap::get(8, 0, {d(1), d(2), d(3), d(4), d(5)}, ctx),
      AffineMap::get(8, 0, {d(0), d(1), d(2), d(6), d(7)}, ctx)};
  if (maps != ArrayRef(expected))
    return std::nullopt;
  // The body: out + widen(x) * widen(w).
  Block &body = *op.getBody();
  Operation *add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddIOp, arith::AddFOp>(add) ||
      add->getOperand(0) != body.getArgument(2) ||
      !isa_and_nonnull<arith::MulIOp, arith::MulFOp>(add->getOperand(1).getDefiningOp()))
    return std::nullopt;
  return conv;
}

/// A depthwise convolution as the product of DotConvolution.h that reads the input in place:
/// the input collapsed to [N, C, H, W] and padded on the right for the last group's taps, the
/// filters reordered at compile time to [C, KH, KQ, g] (zero past the width), from the
/// convolution's fill or from zero plus its start.
void lowerDepthwise(OpBuilder &b, Depthwise conv) {
  Location loc = conv.op.getLoc();
  MLIRContext *ctx = b.getContext();
  b.setInsertionPoint(conv.op);
  RankedTensorType inType = tensorType(conv.input()), outType = tensorType(conv.op.getResult(0));
  Type narrow = inType.getElementType();
  int64_t g = dotconv::groupOf(narrow);
  int64_t channels = inType.getDimSize(1), width = inType.getDimSize(4);
  RankedTensorType filterType = tensorType(conv.op.getDpsInputs()[1]); // [G, 1, 1, KH, KW]
  int64_t kh = filterType.getDimSize(3), kw = filterType.getDimSize(4);
  int64_t kq = llvm::divideCeil(kw, g);
  int64_t outW = outType.getDimSize(4);
  SmallVector<ReassociationIndices> merge{{0}, {1, 2}, {3}, {4}};
  Value input = tensor::CollapseShapeOp::create(b, loc, conv.input(), merge);
  int64_t padWidth = std::max<int64_t>(
      0, (outW - 1) * conv.strides[1] + (kq * g - 1) * conv.dilations[1] + 1 - width);
  if (padWidth > 0) {
    SmallVector<int64_t> shape(tensorType(input).getShape());
    shape[3] += padWidth;
    input = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, narrow), input,
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, padWidth}),
                                  zeroOf(b, loc, narrow));
  }
  // w[c, y, xq, j] = filter[c, 0, 0, y, xq * g + j], zero past the width.
  size_t bytes = narrow.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = conv.filters.getRawData();
  std::vector<char> reordered(channels * kh * kq * g * bytes, 0);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        std::memcpy(&reordered[(((c * kh + y) * kq + x / g) * g + x % g) * bytes],
                    &raw[conv.filters.isSplat() ? 0 : ((c * kh + y) * kw + x) * bytes], bytes);
  Value weights = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::getFromRawBuffer(RankedTensorType::get({channels, kh, kq, g}, narrow),
                                          reordered));
  // A fill starts the sums; any other start (a bias broadcast over the groups) is added after
  // them, in an elementwise op that fusion merges with the epilogue, so the kernel neither
  // writes nor reads the broadcast.
  Start start = readStart(conv.init());
  RankedTensorType sumsType = tensor::CollapseShapeOp::inferCollapsedType(outType, merge);
  Value init = filledTensor(b, loc, sumsType,
                            start.fill ? start.fill : zeroOf(b, loc, sumsType.getElementType()));
  Value product = linalg::GenericOp::create(
                      b, loc, sumsType, ValueRange{input, weights}, init,
                      dotconv::depthwiseMaps(ctx, g, conv.strides, conv.dilations),
                      iterators(7, {4, 5, 6}), multiplyAddBody)
                      .getResult(0);
  if (!start.fill) {
    // The grouped lowering's bias broadcast reads [G, 1] along (g, f): the [C] bias along c.
    AffineMap identity = b.getMultiDimIdentityMap(4);
    Value addend;
    AffineMap addendMap = identity;
    auto broadcast = conv.init().getDefiningOp<linalg::GenericOp>();
    if (broadcast && broadcast.getNumDpsInputs() == 1 && broadcast.getNumReductionLoops() == 0 &&
        broadcast.getIndexingMapsArray()[0] ==
            AffineMap::get(5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx) &&
        cast<linalg::YieldOp>(broadcast.getBody()->getTerminator()).getOperand(0) ==
            broadcast.getBody()->getArgument(0)) {
      addend = tensor::CollapseShapeOp::create(b, loc, broadcast.getDpsInputs()[0],
                                               SmallVector<ReassociationIndices>{{0, 1}});
      addendMap = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx);
    } else {
      addend = tensor::CollapseShapeOp::create(b, loc, conv.init(), merge);
    }
    product = linalg::GenericOp::create(b, loc, sumsType, ValueRange{product, addend},
                                        emptyTensor(b, loc, sumsType),
                                        ArrayRef<AffineMap>{identity, addendMap, identity},
                                        iterators(4, {}), addBody)
                  .getResult(0);
  }
  Value result = tensor::ExpandShapeOp::create(b, loc, outType, product, merge);
  conv.op->getResult(0).replaceAllUsesWith(result);
  conv.op->erase();
}

} // namespace dlc::cpu::convolutions
