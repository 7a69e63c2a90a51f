// The strategy report of the CPU passes (Strategies.h).
#include "targets/CPU/Transforms/Strategies.h"

#include "targets/Target.h"

#include "dialects/Graph/IR/NodeNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace dlc::cpu {

using namespace mlir;

void recordStrategy(Operation *op, const std::string &strategy, const std::string &why,
                    const std::string &key, const std::string &name,
                    ArrayRef<std::string> candidates) {
  auto func = op->getParentOfType<func::FuncOp>();
  Builder b(op->getContext());
  SmallVector<Attribute> lines;
  if (auto existing = func->getAttrOfType<ArrayAttr>(targets::kStrategiesAttr))
    llvm::append_range(lines, existing.getValue());
  std::string line = graph::nodeNameOf(op) + "\t" + strategy + "\t" + why;
  if (!key.empty())
    line += "\t" + key + "\t" + name + "\t" + llvm::join(candidates, ",");
  lines.push_back(b.getStringAttr(line));
  func->setAttr(targets::kStrategiesAttr, b.getArrayAttr(lines));
}

} // namespace dlc::cpu
