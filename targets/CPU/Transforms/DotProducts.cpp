// Matching the products of narrow operands by constant weights that the dot-product and AMX
// tile kernels compute (DotProducts.h).
#include "targets/CPU/Transforms/DotProducts.h"

#include "targets/CPU/Transforms/DotOperands.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

using namespace mlir;

namespace {

/// Whether `value` is block argument `arg` widened for the product: for 8-bit integers the
/// signedness of the extension (true: sign-extended), for bf16 true; nullopt otherwise.
std::optional<bool> extensionOf(Value value, BlockArgument arg) {
  Operation *op = value.getDefiningOp();
  if (!op || op->getNumOperands() != 1 || op->getOperand(0) != arg)
    return std::nullopt;
  if (arg.getType().isInteger(8) && isa<arith::ExtSIOp>(op))
    return true;
  if (arg.getType().isInteger(8) && isa<arith::ExtUIOp>(op))
    return false;
  if (arg.getType().isBF16() && isa<arith::ExtFOp>(op))
    return true;
  return std::nullopt;
}

} // namespace

std::optional<std::pair<bool, bool>> widenedSigns(linalg::GenericOp op) {
  Block &body = *op.getBody();
  if (body.getNumArguments() != 3)
    return std::nullopt;
  Operation *add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp();
  BlockArgument out = body.getArgument(2);
  if (!add || !isa<arith::AddIOp, arith::AddFOp>(add) ||
      (add->getOperand(0) != out && add->getOperand(1) != out))
    return std::nullopt;
  Operation *mul = (add->getOperand(0) == out ? add->getOperand(1) : add->getOperand(0))
                       .getDefiningOp();
  if (!mul || !isa<arith::MulIOp, arith::MulFOp>(mul))
    return std::nullopt;
  BlockArgument first = body.getArgument(0), second = body.getArgument(1);
  std::optional<bool> firstSign = extensionOf(mul->getOperand(0), first);
  std::optional<bool> secondSign = extensionOf(mul->getOperand(1), second);
  if (!firstSign || !secondSign) {
    firstSign = extensionOf(mul->getOperand(1), first);
    secondSign = extensionOf(mul->getOperand(0), second);
  }
  if (!firstSign || !secondSign)
    return std::nullopt;
  return std::make_pair(*firstSign, *secondSign);
}

std::optional<DotProduct> DotProduct::match(linalg::GenericOp op, bool int8, bool bf16,
                                            bool signedWeightsOnly) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  DotProduct product;
  product.op = op;
  product.m = dims->m.back(), product.n = dims->n[0], product.k = dims->k[0];
  product.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(product.ranges, ShapedType::isDynamic))
    return std::nullopt;
  // Outer dimensions (a batch, an outer row dimension such as a sequence's batch of 1) index
  // the lhs and the result only: the weights are one matrix. They run as outer loops.
  MLIRContext *ctx = op.getContext();
  AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!dims->batch.empty() || lhsMap.getNumResults() < 2)
    return std::nullopt;
  SmallVector<AffineExpr> batch;
  for (AffineExpr outer : lhsMap.getResults().drop_back(2)) {
    auto dim = dyn_cast<AffineDimExpr>(outer);
    if (!dim || !llvm::is_contained(dims->m, dim.getPosition()))
      return std::nullopt;
    product.batchDims.push_back(dim.getPosition());
    batch.push_back(outer);
  }
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineExpr> lhsWant(batch), outWant(batch);
  lhsWant.append({dim(product.m), dim(product.k)});
  outWant.append({dim(product.m), dim(product.n)});
  if (lhsMap.getResults() != ArrayRef(lhsWant) || outMap.getResults() != ArrayRef(outWant) ||
      rhsMap.getResults() != ArrayRef<AffineExpr>{dim(product.k), dim(product.n)})
    return std::nullopt;
  // The body: out + widen(lhs) * widen(rhs), in int32 or f32.
  Block &body = *op.getBody();
  Operation *add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp();
  Type sum = add ? add->getResult(0).getType() : Type();
  if (add && isa<arith::AddIOp>(add) && sum.isInteger(32) && int8)
    product.kind = DotKind::Int8;
  else if (add && isa<arith::AddFOp>(add) && sum.isF32() && bf16)
    product.kind = DotKind::BF16;
  else
    return std::nullopt;
  std::optional<std::pair<bool, bool>> signs = widenedSigns(op);
  if (!signs)
    return std::nullopt;
  std::optional<bool> lhsSign = signs->first, rhsSign = signs->second;
  // vpdpbusd multiplies unsigned bytes by signed ones: the weights must be the signed side.
  if (!lhsSign || !rhsSign || (signedWeightsOnly && !*rhsSign))
    return std::nullopt;
  product.rhsSigned = product.kind == DotKind::Int8 && *rhsSign;
  product.lhsSigned = product.kind == DotKind::Int8 && *lhsSign;
  Attribute constant;
  if (!matchPattern(op.getDpsInputs()[1], m_Constant(&constant)))
    return std::nullopt;
  product.rhs = dyn_cast<DenseElementsAttr>(constant);
  if (!product.rhs)
    return std::nullopt;
  product.epilogue = epilogueOf(op.getResult(0), outMap.getNumResults());
  return product;
}

Value DotProduct::batchLoops(OpBuilder &b, Location loc, Value result,
                             SmallVectorImpl<Value> &ivs,
                             function_ref<Value(OpBuilder &, Value)> inner,
                             unsigned level) const {
  if (level == batchDims.size())
    return inner(b, result);
  return forLoop(b, loc, ranges[batchDims[level]], 1, result,
                 [&](OpBuilder &lb, Value iv, ValueRange carried) -> SmallVector<Value> {
                   ivs.push_back(iv);
                   Value next = batchLoops(lb, loc, carried[0], ivs, inner, level + 1);
                   ivs.pop_back();
                   return {next};
                 })
      .getResult(0);
}

} // namespace dlc::cpu
