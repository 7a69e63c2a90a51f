// Vector reads of window ops: consecutive or strided lanes of a tensor row, and reads of a padded
// operand from its unpadded source with the padding supplied in registers.
#include "targets/CPU/Transforms/WindowReads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

using namespace mlir;

/// The lanes a read of `span` lanes reads: the next power of two (see readLanes).
int64_t widenedSpan(int64_t span) { return int64_t(llvm::PowerOf2Ceil(span)); }

/// Lanes 0, stride, 2 * stride, ... of `span` (`width` of them): a shuffle unless they are all
/// of its lanes.
Value everyStride(OpBuilder &b, Location loc, Value span, int64_t stride, int64_t width) {
  if (stride == 1 && cast<VectorType>(span.getType()).getNumElements() == width)
    return span;
  SmallVector<int64_t> picked;
  for (int64_t lane = 0; lane < width; ++lane)
    picked.push_back(lane * stride);
  return vector::ShuffleOp::create(b, loc, span, span, picked);
}

/// Reads `width` lanes of `source` along its innermost dimension starting at `indices`, every
/// `stride`-th element (one contiguous read, then a shuffle when the stride is not 1), or one
/// element broadcast when `stride` is 0.
Value readLanes(OpBuilder &b, Location loc, Value source, ValueRange indices, int64_t stride,
                int64_t width, bool inBounds, bool wideInBounds) {
  Type element = cast<ShapedType>(source.getType()).getElementType();
  auto vectorType = VectorType::get({width}, element);
  if (stride == 0) {
    Value scalar = tensor::ExtractOp::create(b, loc, source, indices);
    return vector::BroadcastOp::create(b, loc, vectorType, scalar);
  }
  int64_t span = (width - 1) * stride + 1;
  // A span is read as a power of two of lanes: LLVM splits a read of 31 lanes into reads of
  // 16, 8, 4, 2 and 1 and assembles the picked lanes from them one by one, where it picks them
  // from two whole registers with one permute (a stride-2 depthwise convolution, 96 channels
  // at 112x112: 0.201 -> 0.122 ms), and a row of 14 or 7 lanes (MobileNetV2's 14x14 and 7x7
  // depthwise convolutions) takes one read instead of three. The lanes past the span are never
  // picked; they are masked off where they may lie past the buffer.
  if (!llvm::isPowerOf2_64(span)) {
    int64_t widened = widenedSpan(span);
    int64_t row = cast<ShapedType>(source.getType()).getShape().back();
    std::optional<int64_t> column = getConstantIntValue(indices.back());
    bool fits = inBounds && (wideInBounds || (column && !ShapedType::isDynamic(row) &&
                                              *column + widened <= row));
    span = widened;
    inBounds = fits;
  }
  // Integer lanes read past the source hold 1, not poison: a division by them would be
  // undefined, and x86's integer division traps on the 0 a masked load leaves (Mod of 6 int64
  // elements computed in 8 lanes). Float lanes stay poison (their division does not trap).
  std::optional<Value> padding;
  if (!inBounds && isa<IntegerType>(element))
    padding = arith::ConstantOp::create(b, loc, b.getIntegerAttr(element, 1));
  Value lanes = vector::TransferReadOp::create(b, loc, VectorType::get({span}, element), source,
                                               indices, padding, ArrayRef<bool>{inBounds});
  return everyStride(b, loc, lanes, stride, width);
}

std::optional<PaddedSource> PaddedSource::of(Value operand) {
  PaddedSource padded;
  padded.pad = operand;
  padded.expand = operand.getDefiningOp<tensor::ExpandShapeOp>();
  padded.padOp = (padded.expand ? padded.expand.getSrc() : operand).getDefiningOp<tensor::PadOp>();
  if (!padded.padOp || !padded.padOp.getConstantPaddingValue() ||
      !padded.padOp.getResultType().hasStaticShape() || padded.padOp.hasZeroLowPad() &&
      padded.padOp.hasZeroHighPad())
    return std::nullopt;
  std::optional<SmallVector<int64_t>> low = getConstantIntValues(padded.padOp.getMixedLowPad());
  if (!low)
    return std::nullopt;
  ArrayRef<int64_t> source = padded.padOp.getSourceType().getShape();
  if (!padded.expand) {
    padded.low = *low;
    padded.sizes.assign(source.begin(), source.end());
    return padded;
  }
  // A split dimension must be unpadded; a kept one carries its padding along.
  ArrayRef<int64_t> expanded = padded.expand.getResultType().getShape();
  ArrayRef<int64_t> paddedShape = padded.padOp.getResultType().getShape();
  for (auto [dim, group] : llvm::enumerate(padded.expand.getReassociationIndices())) {
    if (group.size() > 1 && source[dim] != paddedShape[dim])
      return std::nullopt;
    for (int64_t d : group) {
      padded.low.push_back(group.size() == 1 ? (*low)[dim] : 0);
      padded.sizes.push_back(group.size() == 1 ? source[dim] : expanded[d]);
    }
  }
  return padded;
}

Value PaddedSource::source(OpBuilder &b, Location loc) {
  Value unpadded = padOp.getSource();
  if (!expand)
    return unpadded;
  auto type = RankedTensorType::get(sizes, padOp.getSourceType().getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, unpadded,
                                       expand.getReassociationIndices());
}

Value PaddedSource::readBorder(OpBuilder &b, Location loc, Value unpadded,
                               ArrayRef<Value> shifted, Value rowsInside, int64_t start,
                               int64_t stride, int64_t width) {
  Value padValue = padOp.getConstantPaddingValue();
  Type element = padValue.getType();
  int64_t span = (width - 1) * stride + 1, before = std::clamp<int64_t>(-start, 0, span);
  auto splat = [&](OpBuilder &builder, Location l, int64_t lanes) -> Value {
    return vector::BroadcastOp::create(builder, l, VectorType::get({lanes}, element), padValue);
  };
  // The lanes inside the row are known at compile time: `valid` of them from source column
  // start + before. They are read in bounds and placed between the padding lanes; an
  // out-of-bounds read would rely on the row being the buffer's innermost dimension, which is
  // no longer so once the read is folded into a reshaped buffer (a product's [N, F, H*W]).
  int64_t valid = std::clamp<int64_t>(sizes.back() - (start + before), 0, span - before);
  // A span is read as a power of two of lanes, as readLanes does: the row's lanes, then padding
  // selected over what lies past the row (another row's elements, in a reshaped buffer),
  // shifted behind the padding lanes in front by one shuffle of whole registers.
  int64_t wide = widenedSpan(span);
  auto wideRead = [&](OpBuilder &builder, Location l) -> Value {
    if (valid == 0)
      return splat(builder, l, wide);
    SmallVector<Value> at(shifted.begin(), shifted.end());
    at.back() = arith::ConstantIndexOp::create(builder, l, start + before);
    auto type = VectorType::get({wide}, element);
    bool fits = start + before + wide <= cast<ShapedType>(unpadded.getType()).getShape().back();
    Value lanes = vector::TransferReadOp::create(builder, l, type, unpadded, at, padValue,
                                                 ArrayRef<bool>{fits});
    if (before + valid < span) { // (lanes from `span` on are never picked)
      SmallVector<bool> row(wide, false);
      std::fill_n(row.begin(), valid, true);
      auto maskType = VectorType::get({wide}, builder.getI1Type());
      Value mask = arith::ConstantOp::create(builder, l, DenseElementsAttr::get(maskType, row));
      lanes = arith::SelectOp::create(builder, l, mask, lanes, splat(builder, l, wide));
    }
    if (before == 0)
      return lanes;
    SmallVector<int64_t> shift;
    for (int64_t lane = 0; lane < wide; ++lane)
      shift.push_back(lane < before ? lane : wide + lane - before);
    return vector::ShuffleOp::create(builder, l, splat(builder, l, wide), lanes, shift);
  };
  auto rowRead = [&](OpBuilder &builder, Location l) -> Value {
    if (wide != span)
      return wideRead(builder, l);
    if (valid == 0)
      return splat(builder, l, span);
    SmallVector<Value> at(shifted.begin(), shifted.end());
    at.back() = arith::ConstantIndexOp::create(builder, l, start + before);
    Value lanes = vector::TransferReadOp::create(
        builder, l, VectorType::get({valid}, element), unpadded, at, padValue,
        ArrayRef<bool>{true});
    // Padding lanes go in front of and behind them, each by a shuffle that concatenates.
    auto concatenate = [&](Value front, Value back) -> Value {
      int64_t total = cast<VectorType>(front.getType()).getNumElements() +
                      cast<VectorType>(back.getType()).getNumElements();
      return vector::ShuffleOp::create(builder, l, front, back,
                                       llvm::to_vector(llvm::seq<int64_t>(0, total)));
    };
    if (before > 0)
      lanes = concatenate(splat(builder, l, before), lanes);
    if (before + valid < span)
      lanes = concatenate(lanes, splat(builder, l, span - before - valid));
    return lanes;
  };
  Value row;
  if (matchPattern(rowsInside, m_One())) {
    row = rowRead(b, loc);
  } else {
    row = scf::IfOp::create(
              b, loc, rowsInside,
              [&](OpBuilder &then, Location l) { scf::YieldOp::create(then, l, rowRead(then, l)); },
              [&](OpBuilder &other, Location l) {
                scf::YieldOp::create(other, l, splat(other, l, wide));
              })
              .getResult(0);
  }
  return everyStride(b, loc, row, stride, width);
}

Value PaddedSource::read(OpBuilder &b, Location loc, Value unpadded, ValueRange indices,
                         int64_t stride, int64_t width, ArrayRef<bool> knownInside) {
  Value padValue = padOp.getConstantPaddingValue();
  auto vectorType = VectorType::get({width}, padValue.getType());
  int64_t rank = sizes.size(), span = (width - 1) * stride + 1;
  auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto inRange = [&](Value i, int64_t lo, int64_t hi) -> Value { // lo <= i < hi
    Value above = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, i, index(lo));
    Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, index(hi));
    return arith::AndIOp::create(b, loc, above, below);
  };
  SmallVector<Value> shifted; // source coordinates
  Value rowsInside = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (int64_t d = 0; d < rank; ++d) {
    shifted.push_back(b.createOrFold<arith::SubIOp>(loc, indices[d], index(low[d])));
    if (d + 1 < rank && !knownInside[d] &&
        (low[d] != 0 || cast<ShapedType>(pad.getType()).getDimSize(d) != sizes[d]))
      rowsInside = arith::AndIOp::create(b, loc, rowsInside,
                                         inRange(indices[d], low[d], low[d] + sizes[d]));
  }
  Value first = indices[rank - 1];
  Value last = arith::AddIOp::create(b, loc, first, index(span - 1));
  Value inside = rowsInside;
  if (!knownInside.back())
    inside = arith::AndIOp::create(
        b, loc, inside,
        arith::AndIOp::create(b, loc, inRange(first, low.back(), low.back() + sizes.back()),
                              inRange(last, low.back(), low.back() + sizes.back())));
  // Known inside, the enclosing loops keep the widened span inside the row
  // (dlc-cpu-vectorize-windows' interior).
  if (matchPattern(inside, m_One()))
    return readLanes(b, loc, unpadded, shifted, stride, width, /*inBounds=*/true,
                     /*wideInBounds=*/knownInside.back());
  if (std::optional<int64_t> start = getConstantIntValue(shifted.back()))
    return readBorder(b, loc, unpadded, shifted, rowsInside, *start, stride, width);
  auto ifOp = scf::IfOp::create(
      b, loc, inside,
      [&](OpBuilder &then, Location thenLoc) {
        scf::YieldOp::create(then, thenLoc,
                             readLanes(then, thenLoc, unpadded, shifted, stride, width));
      },
      [&](OpBuilder &other, Location otherLoc) {
        // Lane j reads source column first - low + j * stride when it and the row are inside.
        auto indexVectorType = VectorType::get({width}, other.getIndexType());
        SmallVector<int64_t> steps;
        for (int64_t j = 0; j < width; ++j)
          steps.push_back(j * stride);
        Value lanes = arith::AddIOp::create(
            other, otherLoc,
            vector::BroadcastOp::create(other, otherLoc, indexVectorType, shifted.back()),
            arith::ConstantOp::create(other, otherLoc,
                                      DenseElementsAttr::get(indexVectorType,
                                                             ArrayRef<int64_t>(steps))));
        auto zeroVector = arith::ConstantOp::create(
            other, otherLoc, DenseElementsAttr::get(indexVectorType, int64_t(0)));
        auto sizeVector = arith::ConstantOp::create(
            other, otherLoc, DenseElementsAttr::get(indexVectorType, sizes.back()));
        Value mask = arith::AndIOp::create(
            other, otherLoc,
            arith::CmpIOp::create(other, otherLoc, arith::CmpIPredicate::sge, lanes, zeroVector),
            arith::CmpIOp::create(other, otherLoc, arith::CmpIPredicate::slt, lanes, sizeVector));
        auto maskType = VectorType::get({width}, other.getI1Type());
        mask = arith::AndIOp::create(
            other, otherLoc, mask,
            vector::BroadcastOp::create(other, otherLoc, maskType, rowsInside));
        // Rows outside are never read (their lanes are masked); any valid base will do.
        SmallVector<Value> base;
        for (int64_t d = 0; d + 1 < rank; ++d)
          base.push_back(arith::SelectOp::create(other, otherLoc, rowsInside, shifted[d],
                                                 index(0)));
        base.push_back(index(0));
        Value passThrough = vector::BroadcastOp::create(other, otherLoc, vectorType, padValue);
        scf::YieldOp::create(other, otherLoc,
                             vector::GatherOp::create(other, otherLoc, vectorType, unpadded,
                                                      base, lanes, mask, passThrough)
                                 .getResult());
      });
  return ifOp.getResult(0);
}

} // namespace dlc::cpu
