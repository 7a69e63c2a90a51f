// Importers of ONNX reductions (ReduceSum/Mean/Max/Min/Prod, and L1, L2, SumSquare, LogSum and
// LogSumExp built on ReduceSum): axes come from an attribute or, from the opset where ONNX moved
// them (13 for ReduceSum, 18 for the others), a constant operand.
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The elementwise op a composite reduction applies before reducing (ReduceL1: |x|) and after
/// it (ReduceL2: sqrt).
enum class Map { None, Abs, Square, Exp, Sqrt, Log };

Value applyMap(NodeContext &ctx, Map map, Value x) {
  switch (map) {
  case Map::None:
    return x;
  case Map::Abs:
    return ctx.create<graph::AbsOp>(x.getType(), x);
  case Map::Square:
    return ctx.create<graph::MulOp>(x.getType(), x, x);
  case Map::Exp:
    return ctx.create<graph::ExpOp>(x.getType(), x);
  case Map::Sqrt:
    return ctx.create<graph::SqrtOp>(x.getType(), x);
  case Map::Log:
    return ctx.create<graph::LogOp>(x.getType(), x);
  }
  llvm_unreachable("unknown map");
}

/// A reduction by `Op` of `pre(x)`, then `post` applied: ReduceSum/Mean/Max/Min/Prod alone,
/// ReduceL1 = sum |x|, ReduceL2 = sqrt(sum x^2), ReduceSumSquare = sum x^2, ReduceLogSum =
/// log(sum x), ReduceLogSumExp = log(sum exp(x)).
template <typename Op, int AxesOperandSince, Map pre = Map::None, Map post = Map::None>
LogicalResult importReduce(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  bool floatOnly = llvm::is_contained({Map::Exp, Map::Sqrt, Map::Log}, pre) ||
                   llvm::is_contained({Map::Exp, Map::Sqrt, Map::Log}, post);
  if (floatOnly && !isa<FloatType>(getElementTypeOrSelf(input)))
    return ctx.fail("expects a floating-point input");
  std::vector<int64_t> axes;
  if (ctx.opset() < AxesOperandSince) {
    axes = ctx.intsAttr("axes");
  } else if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(1, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  }
  if (axes.empty()) {
    if (ctx.intAttr("noop_with_empty_axes", 0)) {
      ctx.setOutput(0, applyMap(ctx, post, applyMap(ctx, pre, input)));
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  SmallVector<int64_t> normalized;
  for (int64_t axis : axes) {
    std::optional<int64_t> d = normalizeAxis(axis, rank);
    if (!d)
      return ctx.fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
    normalized.push_back(*d);
  }
  llvm::sort(normalized);
  normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
  bool keepdims = ctx.intAttr("keepdims", 1) != 0;
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(normalized, d))
      result.push_back(shape[d]);
    else if (keepdims)
      result.push_back(1);
  }
  auto type = RankedTensorType::get(result, getElementTypeOrSelf(input));
  Value reduced = ctx.create<Op>(type, applyMap(ctx, pre, input), normalized, keepdims);
  ctx.setOutput(0, applyMap(ctx, post, reduced));
  return success();
}

/// ArgMax/ArgMin: `select_last_index` since opset 12.
template <typename Op> LogicalResult importArgReduce(NodeContext &ctx) {
  Value input = ctx.input(0);
  int64_t rank = shapeOf(input).size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  ctx.setOutput(0, ctx.create<Op>(*type, input, *axis, ctx.intAttr("keepdims", 1) != 0,
                                  ctx.intAttr("select_last_index", 0) != 0));
  return success();
}

/// CumSum: running sums along a constant `axis`, as a product with a triangular 0/1 matrix over
/// that axis (moved last): position j adds into position i when j <= i (j < i if `exclusive`;
/// reversed with `reverse`).
LogicalResult importCumSum(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  FailureOr<std::vector<int64_t>> axisValue = ctx.intsInput(1, "axis");
  if (failed(axisValue))
    return failure();
  if (axisValue->size() != 1)
    return ctx.fail("axis must be a scalar");
  std::optional<int64_t> axis = normalizeAxis(axisValue->front(), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  bool exclusive = ctx.intAttr("exclusive", 0) != 0, reverse = ctx.intAttr("reverse", 0) != 0;
  Type element = getElementTypeOrSelf(input);
  int64_t n = shape[*axis];
  SmallVector<double> weights;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < n; ++i)
      weights.push_back(reverse ? (exclusive ? j > i : j >= i) : (exclusive ? j < i : j <= i));
  Value triangle = ctx.constant(RankedTensorType::get({n, n}, element), weights);
  // Move the axis last, multiply, move it back.
  SmallVector<int64_t> perm, moved;
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis)
      perm.push_back(d);
  perm.push_back(*axis);
  for (int64_t d : perm)
    moved.push_back(shape[d]);
  auto movedType = RankedTensorType::get(moved, element);
  Value x = ctx.create<graph::TransposeOp>(movedType, input, perm);
  if (rank == 1)
    x = ctx.reshape(x, {1, n});
  Value sums = ctx.create<graph::MatMulOp>(x.getType(), x, triangle);
  sums = ctx.reshape(sums, moved);
  SmallVector<int64_t> inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    inverse[perm[d]] = d;
  ctx.setOutput(0, ctx.create<graph::TransposeOp>(input.getType(), sums, inverse));
  return success();
}

} // namespace

void registerReductionOps(OpTable &table) {
  table["ReduceSum"] = importReduce<graph::ReduceSumOp, 13>;
  table["ReduceMean"] = importReduce<graph::ReduceMeanOp, 18>;
  table["ReduceMax"] = importReduce<graph::ReduceMaxOp, 18>;
  table["ReduceMin"] = importReduce<graph::ReduceMinOp, 18>;
  table["ReduceProd"] = importReduce<graph::ReduceProdOp, 18>;
  table["ReduceL1"] = importReduce<graph::ReduceSumOp, 18, Map::Abs>;
  table["ReduceL2"] = importReduce<graph::ReduceSumOp, 18, Map::Square, Map::Sqrt>;
  table["ReduceSumSquare"] = importReduce<graph::ReduceSumOp, 18, Map::Square>;
  table["ReduceLogSum"] = importReduce<graph::ReduceSumOp, 18, Map::None, Map::Log>;
  table["ReduceLogSumExp"] = importReduce<graph::ReduceSumOp, 18, Map::Exp, Map::Log>;
  table["ArgMax"] = importArgReduce<graph::ArgMaxOp>;
  table["ArgMin"] = importArgReduce<graph::ArgMinOp>;
  table["CumSum"] = importCumSum;
}

} // namespace dlc::onnx_frontend
