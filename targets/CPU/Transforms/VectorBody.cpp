// Elementwise linalg.generic bodies emitted on vectors.
#include "targets/CPU/Transforms/VectorBody.h"

#include "targets/CPU/Transforms/WindowReads.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

using namespace mlir;

bool hasBoolOperand(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(),
                      [](Type type) { return getElementTypeOrSelf(type).isInteger(1); });
}

bool hasVectorizableBody(linalg::GenericOp op) {
  if (hasBoolOperand(op))
    return false;
  for (Operation &inner : op.getBody()->without_terminator()) {
    if (inner.getNumRegions() != 0)
      return false;
    if (!matchPattern(&inner, m_Constant()) && !OpTrait::hasElementwiseMappableTraits(&inner))
      return false;
  }
  return true;
}

/// Emits `body` (a linalg.generic region) once on vectors of `width` lanes. `args` gives the
/// vector for each block argument that is used; scalars from outside the body and constants
/// are broadcast.
Value emitVectorBody(OpBuilder &b, Location loc, Block &body, ArrayRef<Value> args,
                     int64_t width, ArrayRef<std::pair<Value, Value>> preset, bool contract) {
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(body.getArguments(), args))
    if (value)
      mapping.map(arg, value);
  for (auto [value, vector] : preset)
    mapping.map(value, vector);
  auto vectorOf = [&](Value scalar) -> Value {
    if (Value mapped = mapping.lookupOrNull(scalar))
      return mapped;
    auto type = VectorType::get({width}, scalar.getType());
    return vector::BroadcastOp::create(b, loc, type, scalar);
  };
  for (Operation &op : body.without_terminator()) {
    if (op.getNumResults() == 1 && mapping.contains(op.getResult(0)))
      continue;
    if (matchPattern(&op, m_Constant())) {
      Operation *scalar = b.clone(op);
      mapping.map(op.getResult(0), vectorOf(scalar->getResult(0)));
      continue;
    }
    SmallVector<Value> operands = llvm::map_to_vector(op.getOperands(), vectorOf);
    SmallVector<Type> types = llvm::map_to_vector(
        op.getResultTypes(), [&](Type t) -> Type { return VectorType::get({width}, t); });
    OperationState state(loc, op.getName(), operands, types, op.getAttrs());
    Operation *vectorOp = b.create(state);
    if (contract && isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(vectorOp)) {
      auto fastMath = cast<arith::ArithFastMathInterface>(vectorOp);
      arith::FastMathFlags flags = fastMath.getFastMathFlagsAttr().getValue();
      vectorOp->setAttr(fastMath.getFastMathAttrName(),
                        arith::FastMathFlagsAttr::get(b.getContext(),
                                                      flags | arith::FastMathFlags::contract));
    }
    mapping.map(op.getResults(), vectorOp->getResults());
  }
  return vectorOf(body.getTerminator()->getOperand(0));
}

SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map, ArrayRef<Value> ivs) {
  SmallVector<OpFoldResult> operands(ivs.begin(), ivs.end());
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    auto single = AffineMap::get(map.getNumDims(), 0, expr);
    indices.push_back(getValueOrCreateConstantIndexOp(
        b, loc, affine::makeComposedFoldedAffineApply(b, loc, single, operands)));
  }
  return indices;
}

bool ElementwiseStage::accepts(linalg::GenericOp op, int64_t rank, Value tied) {
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != unsigned(rank) || op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !op.getRegionOutputArgs()[0].use_empty() || !hasVectorizableBody(op))
    return false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (input->get() == tied) {
      if (!map.isIdentity())
        return false;
      continue;
    }
    if (!map.isProjectedPermutation())
      return false;
    // The innermost loop may only index an operand's innermost dimension.
    for (unsigned r = 0; r + 1 < map.getNumResults(); ++r)
      if (map.getDimPosition(r) == unsigned(rank - 1))
        return false;
  }
  return true;
}

std::optional<ElementwiseStage::RowOffset> ElementwiseStage::leadingRowOffset(Value tied,
                                                                               unsigned rowDim) {
  OpOperand *tiedOperand = nullptr;
  for (OpOperand *input : op.getDpsInputOperands())
    if (input->get() == tied)
      tiedOperand = input;
  if (!tiedOperand)
    return std::nullopt;
  BlockArgument arg = op.getMatchingBlockArgument(tiedOperand);
  if (!arg.hasOneUse() || !isa<IntegerType>(arg.getType()))
    return std::nullopt;
  Operation *user = *arg.getUsers().begin();
  if (!isa<arith::AddIOp, arith::SubIOp>(user) || user->getOperand(0) != arg)
    return std::nullopt;
  auto other = dyn_cast<BlockArgument>(user->getOperand(1));
  if (!other || other.getOwner() != op.getBody() ||
      other.getArgNumber() >= op.getNumDpsInputs())
    return std::nullopt;
  OpOperand *offsetOperand = op.getDpsInputOperand(other.getArgNumber());
  AffineMap map = op.getMatchingIndexingMap(offsetOperand);
  DenseIntElementsAttr values;
  if (map.getNumResults() != 1 || map.getResult(0) != getAffineDimExpr(rowDim, op.getContext()) ||
      !matchPattern(offsetOperand->get(), m_Constant(&values)))
    return std::nullopt;
  RowOffset offset{user, {}};
  for (const APInt &value : values.getValues<APInt>())
    offset.values.push_back(isa<arith::SubIOp>(user) ? -value.getSExtValue()
                                                     : value.getSExtValue());
  return offset;
}

Value ElementwiseStage::emit(OpBuilder &b, Location loc, ArrayRef<Value> ivs, int64_t width,
                             Value tied, Value tiedValue, bool inBounds, Operation *folded) {
  unsigned innermost = op.getNumLoops() - 1;
  SmallVector<Value> args;
  for (OpOperand *input : op.getDpsInputOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(input);
    bool onlyFolded = folded && llvm::all_of(arg.getUsers(), [&](Operation *user) {
      return user == folded;
    });
    if (arg.use_empty() || onlyFolded) {
      args.push_back(nullptr);
    } else if (input->get() == tied) {
      args.push_back(tiedValue);
    } else {
      AffineMap map = op.getMatchingIndexingMap(input);
      bool contiguous = map.getNumResults() > 0 &&
                        map.getDimPosition(map.getNumResults() - 1) == innermost;
      args.push_back(readLanes(b, loc, input->get(), indicesAt(b, loc, map, ivs),
                               contiguous ? 1 : 0, width, inBounds));
    }
  }
  args.push_back(nullptr); // the output argument is unused
  SmallVector<std::pair<Value, Value>> preset;
  if (folded)
    preset.push_back({folded->getResult(0), tiedValue});
  return emitVectorBody(b, loc, *op.getBody(), args, width, preset, contract);
}

} // namespace dlc::cpu
