// Builders shared by the graph -> linalg patterns (see LoweringUtils.h).
// Keeping them here keeps each pattern file about its own op family.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::conversion {

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

bool isUnsignedElement(Type type) { return getElementTypeOrSelf(type).isUnsignedInteger(); }

RankedTensorType signlessType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  if (!isUnsignedElement(tensor))
    return tensor;
  unsigned width = tensor.getElementType().getIntOrFloatBitWidth();
  return tensor.clone(IntegerType::get(type.getContext(), width));
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, int64_t(value)));
}

Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, 
        loc, b.getFloatAttr(floatType,
                            APFloat::getInf(floatType.getFloatSemantics(), /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt lowest = width == 1 || isUnsigned ? APInt::getZero(width)
                                          : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, lowest));
}

Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, 
        loc, b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics())));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt highest = width == 1 || isUnsigned ? APInt::getAllOnes(width)
                                           : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, highest));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type)).getResult(0);
}

Value padTensor(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return value;
  RankedTensorType type = tensorType(value);
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, dim] : llvm::enumerate(shape))
    dim += low[i] + high[i];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, value, getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high), padValue);
}

Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim, int64_t outer) {
  RankedTensorType type = tensorType(value);
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    ReassociationIndices group{int64_t(shape.size())};
    if (d == dim) {
      shape.push_back(outer);
      group.push_back(int64_t(shape.size()));
      shape.push_back(type.getDimSize(d) / outer);
    } else {
      shape.push_back(type.getDimSize(d));
    }
    groups.push_back(group);
  }
  auto expandedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expandedType, value, groups);
}

AffineMap broadcastMap(ArrayRef<int64_t> operandShape, ArrayRef<int64_t> resultShape,
                       MLIRContext *ctx) {
  int64_t offset = int64_t(resultShape.size()) - int64_t(operandShape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, dim] : llvm::enumerate(operandShape)) {
    bool stretched = dim == 1 && resultShape[offset + i] != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

SmallVector<utils::IteratorType> iteratorTypes(int64_t rank, ArrayRef<int64_t> reductionDims) {
  SmallVector<utils::IteratorType> types(rank, utils::IteratorType::parallel);
  for (int64_t d : reductionDims)
    types[d] = utils::IteratorType::reduction;
  return types;
}

/// `input` without the size-1 dimensions that broadcast against `resultShape` (a per-channel
/// [C, 1, 1] becomes [C]), so that it is read through a projected permutation (d1), as the
/// kernels that take elementwise ops into their registers, and the reshapes that align them
/// with a product, expect. A collapse of unit dimensions, free. Returns the map it is read by.
std::pair<Value, AffineMap> withoutStretchedDims(OpBuilder &b, Location loc, Value input,
                                                 ArrayRef<int64_t> resultShape) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> shape = tensorType(input).getShape();
  AffineMap map = broadcastMap(shape, resultShape, ctx);
  if (map.isProjectedPermutation())
    return {input, map};
  // Each kept dimension starts a group; a stretched one joins the group before it (or the first
  // group, before any).
  SmallVector<ReassociationIndices> groups;
  SmallVector<AffineExpr> kept;
  ReassociationIndices leading;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (isa<AffineConstantExpr>(expr)) {
      (groups.empty() ? leading : groups.back()).push_back(i);
      continue;
    }
    ReassociationIndices group(leading);
    group.push_back(i);
    leading.clear();
    groups.push_back(group);
    kept.push_back(expr);
  }
  SmallVector<int64_t> collapsedShape;
  for (const ReassociationIndices &group : groups) {
    int64_t size = 1;
    for (int64_t d : group)
      size *= shape[d];
    collapsedShape.push_back(size);
  }
  auto collapsedType = RankedTensorType::get(collapsedShape, tensorType(input).getElementType());
  Value collapsed = tensor::CollapseShapeOp::create(b, loc, collapsedType, input, groups);
  return {collapsed, AffineMap::get(resultShape.size(), 0, kept, ctx)};
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<AffineMap> maps;
  SmallVector<Value> operands;
  for (Value input : inputs) {
    auto [operand, map] = withoutStretchedDims(b, loc, input, resultType.getShape());
    operands.push_back(operand);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  Value init = emptyTensor(b, loc, resultType);
  auto generic = linalg::GenericOp::create(b, 
      loc, resultType, operands, init, maps, iteratorTypes(resultType.getRank(), {}),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value widenTo(OpBuilder &b, Location loc, Value value, Type wide, bool isUnsigned) {
  if (value.getType() == wide)
    return value;
  if (isa<FloatType>(wide))
    return arith::ExtFOp::create(b, loc, wide, value);
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, wide, value);
  return arith::ExtSIOp::create(b, loc, wide, value);
}

Value combine(OpBuilder &b, Location loc, Combiner kind, Value lhs, Value rhs, bool isUnsigned) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (kind) {
  case Combiner::Add:
    return isFloat ? arith::AddFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::Mul:
    return isFloat ? arith::MulFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, lhs, rhs);
    return isUnsigned ? arith::MaxUIOp::create(b, loc, lhs, rhs).getResult()
                      : arith::MaxSIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, lhs, rhs);
    return isUnsigned ? arith::MinUIOp::create(b, loc, lhs, rhs).getResult()
                      : arith::MinSIOp::create(b, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown combiner");
}

Value clampedIndex(OpBuilder &b, Location loc, Value index, int64_t size) {
  index = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value sizeValue = arith::ConstantIndexOp::create(b, loc, size);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last = arith::ConstantIndexOp::create(b, loc, size - 1);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::SelectOp::create(b, loc, negative,
                                          arith::AddIOp::create(b, loc, index, sizeValue), index);
  wrapped = arith::MaxSIOp::create(b, loc, wrapped, zero);
  return arith::MinSIOp::create(b, loc, wrapped, last);
}

} // namespace dlc::conversion
