// The operands the dot-product convolution kernels share (see DotOperands.h).
#include "targets/CPU/Transforms/DotOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cstring>

namespace dlc::cpu {

using namespace mlir;

namespace {

constexpr int64_t kLanes = kDotLanes;

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

/// -128 times the sum of each of `rows` rows of int8 `weights` (see rowStartsOf).
SmallVector<int32_t> signCorrectionOf(DenseElementsAttr weights, int64_t rows) {
  int64_t perRow = weights.getNumElements() / rows;
  SmallVector<int8_t> values =
      weights.isSplat()
          ? SmallVector<int8_t>(weights.getNumElements(), weights.getSplatValue<int8_t>())
          : SmallVector<int8_t>(weights.getValues<int8_t>());
  SmallVector<int32_t> sums(rows, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < perRow; ++i)
      sums[r] -= 128 * int32_t(values[r * perRow + i]);
  return sums;
}

} // namespace

Value flipSigns(OpBuilder &b, Location loc, Value lanes) {
  auto type = cast<VectorType>(lanes.getType());
  Value flip = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), -128)));
  return arith::XOrIOp::create(b, loc, lanes, flip);
}

int64_t rowSpan(int64_t g, int64_t stride, int64_t dilation) {
  return llvm::PowerOf2Ceil((kLanes - 1) * stride + (g - 1) * dilation + 1);
}

Value rowTaps(OpBuilder &b, Location loc, Value input, ArrayRef<Value> at, bool inBounds,
              int64_t g, int64_t stride, int64_t dilation) {
  Type element = tensorType(input).getElementType();
  Value row = vector::TransferReadOp::create(
      b, loc, VectorType::get({rowSpan(g, stride, dilation)}, element), input, at,
      /*padding=*/std::nullopt, ArrayRef<bool>{inBounds});
  SmallVector<int64_t> mask(g * kLanes);
  for (int64_t l = 0; l < kLanes; ++l)
    for (int64_t j = 0; j < g; ++j)
      mask[l * g + j] = l * stride + j * dilation;
  return vector::ShuffleOp::create(b, loc, row, row, mask);
}

bool hasWidenedMultiplyAdd(linalg::GenericOp op) {
  Block &body = *op.getBody();
  Operation *add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddIOp, arith::AddFOp>(add) ||
      add->getOperand(0) != body.getArgument(2))
    return false;
  Operation *mul = add->getOperand(1).getDefiningOp();
  if (!mul || !isa<arith::MulIOp, arith::MulFOp>(mul))
    return false;
  for (auto [operand, arg] : llvm::zip(mul->getOperands(), body.getArguments().take_front(2))) {
    Operation *ext = operand.getDefiningOp();
    if (!ext || !isa<arith::ExtSIOp, arith::ExtFOp>(ext) || ext->getOperand(0) != arg)
      return false;
  }
  return true;
}

linalg::GenericOp epilogueOf(Value result, int64_t rank) {
  if (!result.hasOneUse())
    return {};
  auto consumer = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (ElementwiseStage::accepts(consumer, rank, result) && consumer.getDpsInits()[0] != result)
    return consumer;
  return {};
}

Operation *prologueOf(Value init, int64_t rank) {
  Operation *producer = init.getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return nullptr;
  if (auto fill = dyn_cast<linalg::FillOp>(producer); fill && fill.hasPureTensorSemantics())
    return fill;
  if (auto generic = dyn_cast<linalg::GenericOp>(producer);
      ElementwiseStage::accepts(generic, rank, nullptr))
    return generic;
  return nullptr;
}

DenseElementsAttr groupWordsOf(DenseElementsAttr weights, int64_t rows, int64_t groups) {
  auto type = RankedTensorType::get({rows, groups}, IntegerType::get(weights.getContext(), 32));
  ArrayRef<char> raw = weights.getRawData();
  if (!weights.isSplat())
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  std::vector<char> words(type.getNumElements() * 4);
  for (size_t offset = 0; offset < words.size(); offset += raw.size())
    std::memcpy(&words[offset], raw.data(), raw.size());
  return DenseElementsAttr::getFromRawBuffer(type, words);
}

DenseElementsAttr rowStartsOf(DotKind kind, DenseElementsAttr weights, int64_t rows,
                              const std::optional<ElementwiseStage::RowOffset> &rowOffset) {
  if (kind != DotKind::Int8)
    return {};
  SmallVector<int32_t> starts(signCorrectionOf(weights, rows));
  if (rowOffset)
    for (auto [start, offset] : llvm::zip(starts, rowOffset->values))
      start += int32_t(offset);
  auto type = RankedTensorType::get({rows}, IntegerType::get(weights.getContext(), 32));
  return DenseElementsAttr::get(type, ArrayRef<int32_t>(starts));
}

KernelStart KernelStart::of(RewriterBase &rewriter, linalg::GenericOp op,
                            linalg::GenericOp epilogue) {
  KernelStart start{op.getDpsInits()[0], op.getDpsInits()[0], {}};
  if (auto fill = start.init.getDefiningOp<linalg::FillOp>()) {
    start.fillValue = fill.getInputs()[0];
    start.dest = fill.getOutputs()[0];
  }
  if (epilogue) {
    rewriter.setInsertionPoint(epilogue);
    start.dest = epilogue.getDpsInits()[0];
  }
  return start;
}

} // namespace dlc::cpu
