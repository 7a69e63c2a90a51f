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
  std::string node = graph::nodeNameOf(op);
  std::string line = node + "\t" + strategy + "\t" + why;
  if (!key.empty())
    line += "\t" + key + "\t" + name + "\t" + llvm::join(candidates, ",");
  // A later pass that computes the op otherwise (a convolution's product on AMX tiles) has the
  // last word.
  auto same = llvm::find_if(lines, [&](Attribute existing) {
    return cast<StringAttr>(existing).getValue().starts_with(node + "\t");
  });
  if (same != lines.end())
    *same = b.getStringAttr(line);
  else
    lines.push_back(b.getStringAttr(line));
  func->setAttr(targets::kStrategiesAttr, b.getArrayAttr(lines));
}

} // namespace dlc::cpu
