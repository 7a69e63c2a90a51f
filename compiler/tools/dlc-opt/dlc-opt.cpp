// dlc-opt: mlir-opt with the graph dialect, dlc's passes and its phase pipelines registered, for
// lit tests. Usage: dlc-opt input.mlir --dlc-linalg-pipeline=target=host | FileCheck input.mlir
#include "compiler/Pipelines/Pipeline.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "targets/AllTargets.h"

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
  dlc::targets::registerAllTargets();
  dlc::pipelines::registerDlcPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlc optimizer driver\n", registry));
}
