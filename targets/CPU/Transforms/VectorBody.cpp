// Elementwise linalg.generic bodies emitted on vectors.
#include "targets/CPU/Transforms/VectorBody.h"

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
                     int64_t width) {
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(body.getArguments(), args))
    if (value)
      mapping.map(arg, value);
  auto vectorOf = [&](Value scalar) -> Value {
    if (Value mapped = mapping.lookupOrNull(scalar))
      return mapped;
    auto type = VectorType::get({width}, scalar.getType());
    return vector::BroadcastOp::create(b, loc, type, scalar);
  };
  for (Operation &op : body.without_terminator()) {
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
    mapping.map(op.getResults(), vectorOp->getResults());
  }
  return vectorOf(body.getTerminator()->getOperand(0));
}

} // namespace dlc::cpu
