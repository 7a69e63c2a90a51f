// The ONNX node an op came from: the importer gives each op the node's name as a NameLoc, which
// lowerings keep (fused with others where ops merge). Reports name ops by it.
#ifndef DLC_DIALECTS_GRAPH_IR_NODENAMES_H
#define DLC_DIALECTS_GRAPH_IR_NODENAMES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace dlc::graph {

/// The name of the ONNX node `op` came from (the first name of a fused location), or the op's
/// own name where its location has none (IR parsed from text carries no locations).
inline std::string nodeNameOf(mlir::Operation *op) {
  mlir::Location loc = op->getLoc();
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc); fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc))
    return name.getName().str();
  return op->getName().getStringRef().str();
}

} // namespace dlc::graph

#endif
