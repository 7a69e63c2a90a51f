// Importers of ONNX control flow: If whose condition is known at compile time becomes the ops of
// the branch it takes. Conditions computed at run time, Loop and Scan are not imported yet.
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace dlc::onnx_frontend {

namespace {

using namespace mlir;

/// If: exporters test shapes and options that are fixed once the model's shapes are (a branch
/// for a batch of 1, for a sequence shorter than a limit); with the condition folded to a
/// constant while importing, the taken branch is imported in place of the If.
LogicalResult importIf(NodeContext &ctx) {
  std::optional<DenseElementsAttr> condition = ctx.constantInput(0);
  if (!condition)
    return ctx.fail("the condition \"" + ctx.node().input(0) +
                    "\" is computed at run time; dlc compiles If only when its condition is "
                    "known at compile time (a constant, or computed from shapes: --shape fixes "
                    "those of graph inputs)");
  if (condition->getNumElements() != 1)
    return ctx.fail("the condition must hold one element");
  bool taken = condition->getElementType().isInteger(1)
                   ? *condition->value_begin<bool>()
                   : !(*condition->value_begin<APInt>()).isZero();
  const onnx::AttributeProto *branch = ctx.attr(taken ? "then_branch" : "else_branch");
  if (!branch || !branch->has_g())
    return ctx.fail(std::string("the ") + (taken ? "then" : "else") + "_branch is missing");
  if (branch->g().output_size() != ctx.node().output_size())
    return ctx.fail("the branch has " + Twine(branch->g().output_size()) +
                    " outputs, the node " + Twine(ctx.node().output_size()));
  return ctx.inlineSubgraph(branch->g());
}

} // namespace

void registerControlFlowOps(OpTable &table) { table["If"] = importIf; }

} // namespace dlc::onnx_frontend
