// Importers of ONNX reductions (ReduceSum/Mean/Max/Min/Prod): axes come from an attribute or,
// from the opset where ONNX moved them (13 for ReduceSum, 18 for the others), a constant operand.
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

template <typename Op, int AxesOperandSince> LogicalResult importReduce(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
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
      ctx.setOutput(0, input);
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
  ctx.setOutput(0, ctx.create<Op>(type, input, normalized, keepdims));
  return success();
}

} // namespace

void registerReductionOps(OpTable &table) {
  table["ReduceSum"] = importReduce<graph::ReduceSumOp, 13>;
  table["ReduceMean"] = importReduce<graph::ReduceMeanOp, 18>;
  table["ReduceMax"] = importReduce<graph::ReduceMaxOp, 18>;
  table["ReduceMin"] = importReduce<graph::ReduceMinOp, 18>;
  table["ReduceProd"] = importReduce<graph::ReduceProdOp, 18>;
}

} // namespace dlc::onnx_frontend
