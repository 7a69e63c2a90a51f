// The dlc-cpu-vectorize-copies pass: copies between strided views become loops over rows that
// move each row with whole-vector reads and writes (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DotInstructions.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZECOPIESPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// The most bytes one vector moves: 4 zmm registers.
constexpr int64_t kChunkBytes = 256;

/// Whether `type` has a static shape and consecutive elements along its last dimension.
bool rowsAreContiguous(MemRefType type) {
  if (!type.hasStaticShape() || type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && strides.back() == 1;
}

/// The copy as loops over all dimensions but the last, and along it vectors of up to
/// kChunkBytes (the last one masked where the row is not a whole number of them).
void vectorize(OpBuilder &b, linalg::CopyOp copy) {
  Location loc = copy.getLoc();
  Value source = copy.getInputs()[0], target = copy.getOutputs()[0];
  auto type = cast<MemRefType>(source.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank(), width = shape.back();
  int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  int64_t lanes = std::min(width, std::max<int64_t>(1, kChunkBytes / bytes));
  // LLVM's instruction selection aborts on vectors of bf16 (and f16) whose length is not a
  // power of two (a padded row of 34): those rows move in powers of two, the rest masked.
  if (isa<BFloat16Type, Float16Type>(type.getElementType()))
    lanes = int64_t(llvm::bit_floor(uint64_t(lanes)));
  auto vectorType = VectorType::get({lanes}, type.getElementType());
  SmallVector<Value> at;
  auto move = [&](OpBuilder &mb, Value column, bool inBounds) {
    SmallVector<Value> indices(at);
    indices.push_back(column);
    Value row = vector::TransferReadOp::create(mb, loc, vectorType, source, indices,
                                               /*padding=*/std::nullopt,
                                               ArrayRef<bool>{inBounds});
    vector::TransferWriteOp::create(mb, loc, row, target, indices, ArrayRef<bool>{inBounds});
  };
  std::function<void(OpBuilder &, int64_t)> nest = [&](OpBuilder &nb, int64_t dim) {
    if (dim + 1 < rank) {
      forLoop(nb, loc, shape[dim], 1, ValueRange{},
              [&](OpBuilder &lb, Value iv, ValueRange) -> SmallVector<Value> {
                at.push_back(iv);
                nest(lb, dim + 1);
                at.pop_back();
                return {};
              });
      return;
    }
    int64_t whole = width / lanes * lanes;
    if (whole == lanes)
      move(nb, indexConstant(nb, loc, 0), true);
    else if (whole > 0)
      forLoop(nb, loc, whole, lanes, ValueRange{},
              [&](OpBuilder &lb, Value column, ValueRange) -> SmallVector<Value> {
                move(lb, column, true);
                return {};
              });
    if (whole < width)
      move(nb, indexConstant(nb, loc, whole), false);
  };
  nest(b, 0);
}

struct VectorizeCopiesPass : impl::VectorizeCopiesPassBase<VectorizeCopiesPass> {
  void runOnOperation() override {
    SmallVector<linalg::CopyOp> copies;
    getOperation().walk([&](linalg::CopyOp copy) {
      if (!copy.hasPureBufferSemantics())
        return;
      auto from = dyn_cast<MemRefType>(copy.getInputs()[0].getType());
      auto to = dyn_cast<MemRefType>(copy.getOutputs()[0].getType());
      if (from && to && from.getShape() == to.getShape() &&
          from.getElementType() == to.getElementType() && rowsAreContiguous(from) &&
          rowsAreContiguous(to) && from.getElementType().isIntOrFloat())
        copies.push_back(copy);
    });
    for (linalg::CopyOp copy : copies) {
      OpBuilder b(copy);
      vectorize(b, copy);
      copy.erase();
    }
  }
};

} // namespace
} // namespace dlc::cpu
