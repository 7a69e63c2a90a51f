// dlc-opt: mlir-opt with the graph dialect and dlc's passes registered, for lit tests.
// Usage: dlc-opt input.mlir --dlc-convert-graph-to-linalg | FileCheck input.mlir
#include "compiler/Pipelines/Pipeline.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  registry.insert<dlc::graph::GraphDialect>();
  dlc::pipelines::registerDlcPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlc optimizer driver\n", registry));
}
